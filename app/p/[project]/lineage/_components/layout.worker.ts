// ELK's layered layout off the main thread. Evaluated in a worker, elkjs's worker script installs its own
// message dispatcher on `self` (the protocol elkjs/lib/elk-api speaks), so importing it is the whole worker.
import "elkjs/lib/elk-worker.min.js";
