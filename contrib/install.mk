# contrib/install.mk: what `make install` lays out besides programs and man
# pages: bash completion, and with crid its systemd units and a default
# /etc/crid/crid.conf. Units and config name the installed paths (bindir,
# libexecdir, datadir), so they are rewritten from /usr/local at install time.
#
# crid.conf is installed only when absent (an administrator's edits survive a
# reinstall or a package upgrade) and uninstalled only when it is still the
# file this tree would install (a modified one stays, as dpkg keeps conffiles).
bashcompletiondir = $(datadir)/bash-completion/completions
EXTRA_DIST += contrib/install.mk contrib/completion/berth.bash contrib/completion/cridctl.bash \
	tests/integration/packaging.bats \
	contrib/debian/control contrib/debian/rules contrib/debian/changelog contrib/debian/copyright \
	contrib/debian/source/format contrib/debian/berth.install contrib/debian/crid.install

# sed script: the /usr/local paths of contrib/ files -> this tree's.
INSTALL_PATHS_SED = -e 's|/usr/local/bin/|$(bindir)/|g' \
	-e 's|/usr/local/libexec/crid/|$(libexecdir)/crid/|g' \
	-e 's|/usr/local/share/crid/|$(datadir)/crid/|g'

CONTRIB_INSTALL = install-completion-berth
CONTRIB_UNINSTALL = uninstall-completion-berth
install-data-local: $(CONTRIB_INSTALL)
uninstall-local: $(CONTRIB_UNINSTALL)
.PHONY: install-completion-berth uninstall-completion-berth install-crid-data uninstall-crid-data

install-completion-berth:
	$(MKDIR_P) '$(DESTDIR)$(bashcompletiondir)'
	$(INSTALL_DATA) $(srcdir)/contrib/completion/berth.bash '$(DESTDIR)$(bashcompletiondir)/berth'
uninstall-completion-berth:
	rm -f '$(DESTDIR)$(bashcompletiondir)/berth'

if BUILD_CRID
CONTRIB_INSTALL += install-crid-data
CONTRIB_UNINSTALL += uninstall-crid-data

install-crid-data:
	$(MKDIR_P) '$(DESTDIR)$(bashcompletiondir)' '$(DESTDIR)$(systemdsystemunitdir)' '$(DESTDIR)$(sysconfdir)/crid'
	$(INSTALL_DATA) $(srcdir)/contrib/completion/cridctl.bash '$(DESTDIR)$(bashcompletiondir)/cridctl'
	sed $(INSTALL_PATHS_SED) -e 's|^# or alone; adjust ExecStart.*|# or alone.|' \
		$(srcdir)/contrib/systemd/crid.service >crid.service.tmp && \
	$(INSTALL_DATA) crid.service.tmp '$(DESTDIR)$(systemdsystemunitdir)/crid.service' && rm -f crid.service.tmp
	$(INSTALL_DATA) $(srcdir)/contrib/systemd/crid.socket '$(DESTDIR)$(systemdsystemunitdir)/crid.socket'
	sed $(INSTALL_PATHS_SED) $(srcdir)/contrib/crid.conf >crid.conf.tmp
	@if test -e '$(DESTDIR)$(sysconfdir)/crid/crid.conf'; then \
		echo "$(DESTDIR)$(sysconfdir)/crid/crid.conf exists: left as it is"; \
	else \
		echo " $(INSTALL_DATA) crid.conf '$(DESTDIR)$(sysconfdir)/crid/crid.conf'"; \
		$(INSTALL_DATA) crid.conf.tmp '$(DESTDIR)$(sysconfdir)/crid/crid.conf' || exit 1; \
	fi
	rm -f crid.conf.tmp

uninstall-crid-data:
	rm -f '$(DESTDIR)$(bashcompletiondir)/cridctl' \
		'$(DESTDIR)$(systemdsystemunitdir)/crid.service' '$(DESTDIR)$(systemdsystemunitdir)/crid.socket'
	sed $(INSTALL_PATHS_SED) $(srcdir)/contrib/crid.conf >crid.conf.tmp
	@if cmp -s crid.conf.tmp '$(DESTDIR)$(sysconfdir)/crid/crid.conf'; then \
		echo " rm -f '$(DESTDIR)$(sysconfdir)/crid/crid.conf'"; \
		rm -f '$(DESTDIR)$(sysconfdir)/crid/crid.conf'; \
		rmdir '$(DESTDIR)$(sysconfdir)/crid' 2>/dev/null || :; \
	elif test -e '$(DESTDIR)$(sysconfdir)/crid/crid.conf'; then \
		echo "$(DESTDIR)$(sysconfdir)/crid/crid.conf was modified: left in place"; \
	fi
	rm -f crid.conf.tmp
endif
