bin_PROGRAMS += berth
berth_SOURCES = runtime/main.cpp
berth_LDADD = libcontainer/libcontainer.a cgroups/libcgroups.a $(FMT_LIBS) $(LIBCAP_LIBS) $(LIBSECCOMP_LIBS)
