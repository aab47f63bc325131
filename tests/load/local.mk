# `make load`: crid under load through the CRI. tests/integration/crid_load.bats
# starts crid and a registry and runs tests/load/cri_load.py: LOAD_PODS pods x 2
# containers at once, LOAD_ROUNDS rounds after a warm-up round, then the leak
# checks; the latency table is printed. Needs root, bats, jq and an installed
# crid (beside $BERTH, default /usr/local/bin/berth). Not part of `make check`.
LOAD_PODS = 100
LOAD_ROUNDS = 3
load:
	CRID_LOAD_PODS=$(LOAD_PODS) CRID_LOAD_ROUNDS=$(LOAD_ROUNDS) \
		bats $(top_srcdir)/tests/integration/crid_load.bats
.PHONY: load
EXTRA_DIST += tests/load/local.mk tests/load/cri_load.py tests/integration/crid_load.bats
