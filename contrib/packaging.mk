# contrib/packaging.mk: the Debian packages, and what the release tarball
# carries besides the sources the other fragments name.
#
# `make deb` builds the berth and crid packages into debs/ of the build tree
# (contrib/build-deb.sh: a copy of the sources with contrib/debian as debian/,
# dpkg-buildpackage -us -uc -b, then lintian).
deb:
	$(top_srcdir)/contrib/build-deb.sh --lintian '$(abs_top_builddir)/debs'
.PHONY: deb

EXTRA_DIST += LICENSE contrib/packaging.mk contrib/build-deb.sh contrib/debian/crid.postrm \
	contrib/debian/crid.lintian-overrides

# The integration tests go whole, helpers, fixtures and guest scripts with
# them: `make check` in an unpacked tarball runs the guest tests
# (tests/v2vm-check.sh), and a file added there cannot be forgotten here.
EXTRA_DIST += tests/integration
dist-hook:
	find '$(distdir)/tests/integration' -name __pycache__ -prune -exec rm -rf {} +
