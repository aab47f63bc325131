bin_PROGRAMS += berth
berth_SOURCES = \
	runtime/main.cpp \
	runtime/cli.h runtime/cli.cpp \
	runtime/commands.h runtime/command_table.cpp \
	runtime/cmd_lifecycle.cpp runtime/cmd_query.cpp runtime/cmd_cgroups.cpp \
	runtime/foreground.h runtime/foreground.cpp
berth_LDADD = $(BERTH_LIBS)
berth_LDFLAGS = $(BERTH_LEAN_LDFLAGS)

berth_unit_tests_SOURCES += tests/unit/cli_test.cpp runtime/cli.cpp

berth_SOURCES += runtime/cmd_exec.cpp runtime/cmd_features.cpp

berth_SOURCES += runtime/cmd_checkpoint.cpp

# configure's berth layout (ld.lld --symbol-ordering-file): relink when the list changes.
EXTRA_DIST += runtime/berth-hot-functions.txt tests/bench/hot-functions.sh
EXTRA_berth_DEPENDENCIES = $(top_srcdir)/runtime/berth-hot-functions.txt
