# bin_PROGRAMS += berth  (added with runtime/main.cpp)
