# cridctl: the CRI command line (crictl-like), a plain gRPC client of crid.
if BUILD_CRID
bin_PROGRAMS += crid/cridctl
crid_cridctl_CPPFLAGS = $(CRID_CPPFLAGS)
crid_cridctl_SOURCES = crid/cridctl.cpp
crid_cridctl_LDADD = crid/libcriapi.a $(BERTH_LIBS) $(GRPC_LIBS) -lpthread
endif
