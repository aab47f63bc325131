# netns/: pinned network namespaces, loopback through libmnl, CNI plugin invocation.
if BUILD_CRID
endif
