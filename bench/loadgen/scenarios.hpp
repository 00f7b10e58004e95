// The five scenarios of the load benchmark (issue 6), each against the server behind `bench`.
#pragma once
#include <string>

#include "bench_context.hpp"
#include "instance_layout.hpp"

namespace eudiplo_sse::bench {

// 1. Open streams held idle: server memory per stream, CPU per second with heartbeats.
ScenarioResult run_idle(Bench& bench);
// 2. New authenticated streams per second, connect to first event; `algorithm` "hs256"/"es256".
// Every connection brings a token of its own, unless `reconnects`: then each token serves
// --reconnect-reuse connections in a row, as when browsers reconnect with the token they hold.
ScenarioResult run_admission(Bench& bench, const std::string& algorithm, bool reconnects);
// 3. Every session changes status at once: PATCH-to-event latency and total drain time.
// `layout` places streams and changes on one or two instances (issue 10).
ScenarioResult run_burst(Bench& bench, Layout layout = Layout::single);
// 4. A steady rate of status changes over many open streams: latency, CPU per event.
ScenarioResult run_sustained(Bench& bench, Layout layout = Layout::single);
// 5. Clients connecting and disconnecting as fast as the server allows: RSS before/after.
ScenarioResult run_churn(Bench& bench);

}  // namespace eudiplo_sse::bench
