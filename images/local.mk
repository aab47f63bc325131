# images/: registry client, content store, layer unpacking (built when BUILD_IMAGES)
if BUILD_IMAGES
# Two libraries: the store's bookkeeping (what crid links), and the fetch
# side that talks to registries and unpacks layers (libcurl, libarchive),
# which crid runs in its pull helper, crid-pull.
noinst_LIBRARIES += images/libimages.a images/libimages_fetch.a
# Sections for crid's --gc-sections (crid/local.mk).
images_libimages_a_CXXFLAGS = $(AM_CXXFLAGS) -ffunction-sections -fdata-sections
images_libimages_a_CPPFLAGS = $(AM_CPPFLAGS) $(NETTLE_CFLAGS)
images_libimages_a_SOURCES = \
	images/image_service.h \
	images/image_record.h \
	images/image_service.cpp \
	images/image_record.cpp \
	images/fetcher.h \
	images/fetch_request.h images/fetch_request.cpp \
	images/reference.h images/reference.cpp \
	images/digest.h images/digest.cpp \
	images/content_store.h images/content_store.cpp \
	images/manifest.h images/manifest.cpp \
	images/pull_progress.h
images_libimages_fetch_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCURL_CFLAGS) $(LIBARCHIVE_CFLAGS)
images_libimages_fetch_a_SOURCES = \
	images/local_fetcher.h images/local_fetcher.cpp \
	images/file_lock.h images/file_lock.cpp \
	images/auth_challenge.h images/auth_challenge.cpp \
	images/registry_client.h images/registry_client.cpp \
	images/layer_unpack.h images/layer_unpack.cpp
IMAGES_CORE_LIBS = images/libimages.a $(NETTLE_LIBS) $(FMT_LIBS)
IMAGES_LIBS = images/libimages_fetch.a images/libimages.a $(LIBCURL_LIBS) $(LIBARCHIVE_LIBS) $(NETTLE_LIBS) $(FMT_LIBS)

if HAVE_GTEST
check_PROGRAMS += images_unit_tests
TESTS += images_unit_tests
endif
images_unit_tests_CPPFLAGS = $(AM_CPPFLAGS) $(LIBARCHIVE_CFLAGS)
images_unit_tests_SOURCES = tests/unit/main_test.cpp \
	tests/unit/images_reference_test.cpp \
	tests/unit/images_digest_test.cpp \
	tests/unit/images_store_test.cpp \
	tests/unit/images_unpack_test.cpp \
	tests/unit/images_registry_test.cpp \
	tests/unit/images_fake_registry.h \
	tests/unit/images_pull_test.cpp \
	tests/unit/images_pull_progress_test.cpp \
	tests/unit/images_fetch_request_test.cpp
images_unit_tests_LDADD = $(IMAGES_LIBS) -lgtest -lpthread
endif
