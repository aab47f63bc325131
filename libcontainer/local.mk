noinst_LIBRARIES += libcontainer/libcontainer.a
libcontainer_libcontainer_a_SOURCES = \
	libcontainer/result.h \
	libcontainer/fd.h \
	libcontainer/spec.h
