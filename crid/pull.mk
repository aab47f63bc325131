# crid-pull (crid/pull/main.cpp): the helper process every pull runs in. The
# only program of crid's that links the registry client and the layer
# unpacker (libcurl, libarchive and what they pull in), so crid does not map them.
if BUILD_CRID
cridlibexec_PROGRAMS += crid/crid-pull
crid_crid_pull_CPPFLAGS = $(AM_CPPFLAGS)
crid_crid_pull_SOURCES = crid/pull/main.cpp
crid_crid_pull_LDADD = $(IMAGES_LIBS) -lpthread
endif
