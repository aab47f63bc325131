# crid/: the CRI daemon and cridctl (built when BUILD_CRID)
