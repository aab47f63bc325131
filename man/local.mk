dist_man_MANS += man/berth.8 man/berth-spec.8 man/berth-create.8 man/berth-start.8 \
	man/berth-run.8 man/berth-state.8 man/berth-list.8 man/berth-kill.8 man/berth-delete.8 \
	man/berth-pause.8 man/berth-resume.8 man/berth-update.8 man/berth-events.8 man/berth-ps.8 \
	man/berth-exec.8 man/berth-features.8
dist_man_MANS += man/crid.8 man/crid.conf.5 man/cridctl.1
dist_man_MANS += man/crid-monitor.8
dist_man_MANS += man/berth-checkpoint.8 man/berth-restore.8
