# images/: registry client, content store, layer unpacking (built when BUILD_IMAGES)
