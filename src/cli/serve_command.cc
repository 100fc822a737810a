#include "cli/serve_command.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "api/api_service.h"
#include "cli/bootstrap_file.h"
#include "core/billing/settlement.h"
#include "core/bootstrap.h"
#include "common/log_format.h"
#include "net/http_server.h"
#include "net/tls_context.h"
#include "scheduler/scheduler.h"
#include "store/state_tables.h"
#include "web/console_routes.h"
#include "web/health_endpoints.h"
#include "web/metrics_endpoint.h"
#include "web/request_log.h"
#include "web/request_metrics.h"
#include "web/request_observer.h"
#include "web/web_router.h"

namespace cuplane::cli {
namespace {

struct Listen {
  std::string host;
  std::uint16_t port = 0;
};

std::optional<Listen> ParseListen(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  Listen l;
  l.host = text.substr(0, colon);
  if (l.host.size() > 2 && l.host.front() == '[' && l.host.back() == ']') {
    l.host = l.host.substr(1, l.host.size() - 2);
  }
  std::string port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  int value = std::stoi(port);
  if (value > 65535) return std::nullopt;
  l.port = static_cast<std::uint16_t>(value);
  return l;
}

// Every flag checked before anything starts, so a typo never leaves a half-started server.
struct Settings {
  Listen listen;
  core::LifecycleConfig lifecycle;
  int local_offset_seconds = 0;
  bool virtual_clock = false;
  std::int64_t store_timeout_seconds = 5;
  std::int64_t in_doubt_timeout_seconds = 300;
  LogFormat log_format = LogFormat::kText;
};

std::optional<Settings> Validate(const ServeOptions& o) {
  Settings s;
  auto fail = [](const std::string& message) {
    std::cerr << "cuplane serve: " << message << "\n";
    return std::nullopt;
  };
  auto listen = ParseListen(o.listen);
  if (!listen) return fail("--listen must be HOST:PORT, got '" + o.listen + "'");
  s.listen = *listen;
  if (o.clock != "system" && o.clock != "virtual") {
    return fail("--clock must be system or virtual, got '" + o.clock + "'");
  }
  s.virtual_clock = o.clock == "virtual";
  auto offset = ParseUtcOffset(o.local_offset);
  if (!offset) return fail("--local-offset must look like +08:00, got '" + o.local_offset + "'");
  s.local_offset_seconds = *offset;
  struct DurationFlag {
    const char* name;
    const std::string& text;
    std::int64_t& target;
    std::int64_t min;
  };
  for (const DurationFlag& d : {
           DurationFlag{"--provision-delay", o.provision_delay, s.lifecycle.provision_delay_seconds,
                        0},
           DurationFlag{"--deploy-delay", o.deploy_delay, s.lifecycle.deploy_delay_seconds, 0},
           DurationFlag{"--settlement-period", o.settlement_period,
                        s.lifecycle.settlement_period_seconds, 1},
           DurationFlag{"--arrears-grace", o.arrears_grace, s.lifecycle.arrears_grace_seconds, 0},
           DurationFlag{"--list-retention", o.list_retention, s.lifecycle.list_retention_seconds,
                        0},
           DurationFlag{"--store-timeout", o.store_timeout, s.store_timeout_seconds, 1},
           DurationFlag{"--in-doubt-timeout", o.in_doubt_timeout, s.in_doubt_timeout_seconds, 1},
       }) {
    auto value = ParseDurationSeconds(d.text);
    if (!value || *value < d.min) {
      return fail(std::string(d.name) + " must be a duration like 90s, 15m, 1h or 7d, got '" +
                  d.text + "'");
    }
    d.target = *value;
  }
  if (auto store_ok = ValidateStoreUrl(o.location.store_url); !store_ok.ok()) {
    return fail(store_ok.error().message);
  }
  auto log_format = ParseLogFormat(o.log_format);
  if (!log_format) return fail("--log-format must be text or json, got '" + o.log_format + "'");
  s.log_format = *log_format;
  if (o.tls_cert_file.empty() != o.tls_key_file.empty()) {
    return fail("--tls-cert and --tls-key go together: give both for HTTPS, neither for HTTP");
  }
  if (o.max_connections < 1) return fail("--max-connections must be at least 1");
  if (o.max_body_bytes < 1024) return fail("--max-body-bytes must be at least 1024");
  return s;
}

// The demo as it was created in this store: MakeDemoSpec's data with the keys recorded then,
// so that a Reset recreates the keys the start-up lines printed. Fresh keys when none are
// recorded (a store first set up by a bootstrap file, now started without one).
core::BootstrapSpec RecordedDemoSpec(store::Store& store, const SecretBox& box) {
  core::BootstrapSpec spec = MakeDemoSpec();
  auto recorded = store.Read<std::vector<core::AccessKey>>(
      [](store::Transaction& tx) -> Result<std::vector<core::AccessKey>> {
        std::vector<core::AccessKey> keys;
        for (std::string_view meta : {store::kMetaDemoAccessKey, store::kMetaDemoOperatorKey}) {
          auto ak = tx.GetMeta(std::string(meta));
          auto key = ak ? tx.GetAccessKey(*ak) : std::nullopt;
          keys.push_back(key.value_or(core::AccessKey{}));
        }
        return keys;
      });
  if (!recorded.ok()) return spec;
  core::BootstrapKey* targets[] = {&spec.accounts[0].users[0].access_keys[0], &spec.operators[0]};
  for (int i = 0; i < 2; ++i) {
    const core::AccessKey& key = (*recorded)[i];
    auto secret = key.access_key.empty() ? Result<std::string>("") : box.Open(key.secret_key);
    if (!key.access_key.empty() && secret.ok()) *targets[i] = {key.access_key, *secret};
  }
  return spec;
}

// Creates the demo on an empty store, or applies the bootstrap file. Both are idempotent.
// Returns what a Reset applies again (the file, or the demo), or nullopt when start-up must
// stop (the reason is printed).
std::optional<core::BootstrapSpec> ApplyStartupData(store::Store& store, const SecretBox& box,
                                                    const ServeOptions& options, UnixSeconds now) {
  std::optional<core::BootstrapSpec> file_spec;
  if (!options.bootstrap_file.empty()) {
    auto loaded = LoadBootstrapFile(options.bootstrap_file);
    if (!loaded.ok()) {
      std::cerr << "cuplane serve: bootstrap file refused: " << loaded.error().message << "\n";
      return std::nullopt;
    }
    file_spec = std::move(*loaded);
  }
  // A write may be retried (PostgreSQL): everything decided inside is decided afresh on each
  // attempt, so two servers starting on an empty database create one demo, not two.
  std::optional<core::BootstrapSpec> demo_spec;
  auto applied = store.Write<Ok>([&](store::Transaction& tx) -> Status {
    demo_spec.reset();
    if (!file_spec) {
      if (tx.AnyAccountExists()) return OkStatus();
      demo_spec = MakeDemoSpec();
    }
    const core::BootstrapSpec& spec = file_spec ? *file_spec : *demo_spec;
    CUPLANE_TRY(core::ApplyBootstrap(tx, box, spec, now));
    if (demo_spec) {
      tx.SetMeta(std::string(store::kMetaDemoAccessKey),
                 spec.accounts[0].users[0].access_keys[0].access_key);
      tx.SetMeta(std::string(store::kMetaDemoOperatorKey), spec.operators[0].access_key);
    }
    return OkStatus();
  });
  if (!applied.ok()) {
    std::cerr << "cuplane serve: bootstrap refused: " << applied.error().message << "\n";
    return std::nullopt;
  }
  if (file_spec) return file_spec;
  if (demo_spec) return demo_spec;
  return RecordedDemoSpec(store, box);
}

std::string ConsoleUrl(const std::string& base_url) { return base_url + "/console/"; }

// When this data directory holds the demo, print how to reach it (every start, so `make run`
// always shows the lines). False when there is no demo to show.
bool PrintDemoLines(store::Store& store, const SecretBox& box, const std::string& base_url) {
  struct Keys {
    std::optional<core::AccessKey> tenant, operator_key;
  };
  auto keys = store.Read<Keys>([](store::Transaction& tx) -> Result<Keys> {
    Keys k;
    if (auto ak = tx.GetMeta(std::string(store::kMetaDemoAccessKey))) {
      k.tenant = tx.GetAccessKey(*ak);
    }
    if (auto ak = tx.GetMeta(std::string(store::kMetaDemoOperatorKey))) {
      k.operator_key = tx.GetAccessKey(*ak);
    }
    return k;
  });
  if (!keys.ok() || !keys->tenant || !keys->tenant->enabled) return false;
  auto tenant_secret = box.Open(keys->tenant->secret_key);
  if (!tenant_secret.ok()) return false;
  std::cout << "\nDemo account acct-demo (service svco-demo, bj/gpu-1). Point a Qianfan SDK at "
               "this server:\n"
            << "  export QIANFAN_ACCESS_KEY=" << keys->tenant->access_key << "\n"
            << "  export QIANFAN_SECRET_KEY=" << *tenant_secret << "\n"
            << "  export QIANFAN_CONSOLE_API_BASE_URL=" << base_url << "\n";
  auto operator_secret =
      keys->operator_key ? box.Open(keys->operator_key->secret_key) : Result<std::string>("");
  if (keys->operator_key && keys->operator_key->enabled && operator_secret.ok()) {
    std::cout << "Operator key (for /v1/operator):\n"
              << "  export CUPLANE_ACCESS_KEY=" << keys->operator_key->access_key << "\n"
              << "  export CUPLANE_SECRET_KEY=" << *operator_secret << "\n";
  }
  std::cout << "Web console (sign in with either key pair above):\n"
            << "  " << ConsoleUrl(base_url) << "\n\n";
  return true;
}

std::unique_ptr<VirtualClock> LoadVirtualClock(store::Store& store, const Clock& system) {
  auto stored = store.Write<UnixSeconds>([&](store::Transaction& tx) -> Result<UnixSeconds> {
    CUPLANE_ASSIGN_OR_RETURN(auto stored_now,
                             scheduler::StoredTime(tx, scheduler::Scheduler::kVirtualClockMetaKey));
    UnixSeconds now = stored_now.value_or(system.Now());
    if (!stored_now) tx.SetMeta(scheduler::Scheduler::kVirtualClockMetaKey, std::to_string(now));
    // Where Reset puts the clock back to. A store from before Reset existed never recorded
    // it: for it, the clock started where this start finds it.
    if (!tx.GetMeta(std::string(store::kMetaVirtualClockOrigin))) {
      tx.SetMeta(std::string(store::kMetaVirtualClockOrigin), std::to_string(now));
    }
    return now;
  });
  if (!stored.ok()) return nullptr;
  return std::make_unique<VirtualClock>(*stored);
}

}  // namespace

int RunServe(const ServeOptions& options) {
  auto settings = Validate(options);
  if (!settings) return 2;
  ConfigureLogging(settings->log_format);
  std::shared_ptr<net::TlsContext> tls;
  if (!options.tls_cert_file.empty()) {
    auto loaded = net::TlsContext::Load(options.tls_cert_file, options.tls_key_file);
    if (!loaded.ok()) {
      std::cerr << "cuplane serve: " << loaded.error().message << "\n";
      return 2;
    }
    tls = std::move(*loaded);
  }

  // Stop signals are taken by sigwait below; block them before any thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  const StoreTimeouts timeouts{std::chrono::seconds(settings->store_timeout_seconds),
                               std::chrono::seconds(settings->in_doubt_timeout_seconds)};
  auto opened = OpenStore(options.location, timeouts);
  if (!opened.ok()) {
    std::cerr << "cuplane serve: " << opened.error().message << "\n";
    return 1;
  }
  std::unique_ptr<store::Store> store = std::move(*opened);
  auto secrets = OpenSecretBox(options.location, *store);
  if (!secrets.ok()) {
    std::cerr << "cuplane serve: " << secrets.error().message << "\n";
    return 1;
  }

  SystemClock system_clock;
  std::unique_ptr<VirtualClock> virtual_clock;
  if (settings->virtual_clock) {
    virtual_clock = LoadVirtualClock(*store, system_clock);
    if (!virtual_clock) {
      std::cerr << "cuplane serve: cannot load the virtual clock\n";
      return 1;
    }
  }
  const Clock& clock = virtual_clock ? static_cast<const Clock&>(*virtual_clock) : system_clock;

  auto reset_spec = ApplyStartupData(*store, *secrets, options, clock.Now());
  if (!reset_spec) return 1;

  scheduler::Scheduler scheduler(*store, clock, virtual_clock.get(), settings->lifecycle);
  api::ServerContext context{*store,
                             clock,
                             system_clock,
                             *secrets,
                             scheduler,
                             settings->lifecycle,
                             settings->local_offset_seconds,
                             {},
                             &*reset_spec,
                             timeouts.call};
  api::ThrottleConfig throttle{options.read_rate, options.read_burst, options.write_rate,
                               options.write_burst};
  auto service = std::make_shared<api::ApiService>(context, throttle);

  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  net::HttpServerOptions http;
  http.host = settings->listen.host;
  http.port = settings->listen.port;
  http.io_threads = options.io_threads > 0 ? options.io_threads : static_cast<int>(cores);
  // Writes wait on their worker (for a commit on SQLite, for round trips on PostgreSQL), so
  // the workers bound how many writes share one SQLite commit or run at once: with 4 per core,
  // 16 concurrent purchases on 2 cores met in batches of about 6, and with 16 per core 6 to 30%
  // more of them were done a second (docs/performance.md). Idle workers cost a stack each.
  http.worker_threads = options.worker_threads > 0 ? options.worker_threads
                                                   : static_cast<int>(std::max(16u, 16 * cores));
  // Reads on SQLite are CPU work (WAL: they never wait for the writer): they are answered on
  // the I/O threads while quick, else on a lane of one thread per core, which serves them with
  // the fewest context switches; on PostgreSQL they wait on round trips.
  const bool local_reads = store->ReadsAreLocal();
  http.inline_reads = local_reads;
  http.read_worker_threads = options.read_workers > 0
                                 ? options.read_workers
                                 : static_cast<int>(local_reads ? cores : 4 * cores);
  http.max_connections = options.max_connections;
  http.max_body_bytes = static_cast<std::size_t>(options.max_body_bytes);
  http.queue_timeout = timeouts.call;
  http.tls = tls;
  // A store migrated from per-unit settlement has burning accounts with no settlement yet.
  auto resumed = store->Write<int>([&](store::Transaction& tx) -> Result<int> {
    return core::billing::ResumeSettlements(tx, settings->lifecycle);
  });
  if (!resumed.ok()) {
    std::cerr << "cuplane serve: scheduling Postpaid settlements failed: "
              << resumed.error().message << "\n";
    return 1;
  } else if (*resumed > 0) {
    spdlog::info("scheduled the Postpaid settlement of {} account(s)", *resumed);
  }
  // Overdue transitions (from before a restart) run before the first request is served, so no
  // read or settlement sees a state that should already have moved on.
  if (auto caught_up = scheduler.RunDue(clock.Now()); !caught_up.ok()) {
    std::cerr << "cuplane serve: catching up overdue transitions failed: "
              << caught_up.error().message << "\n";
    return 1;
  } else if (*caught_up > 0) {
    spdlog::info("ran {} overdue transition(s)", *caught_up);
  }
  // The console and the machine endpoints first; every other path is an API call. Pages that
  // read the store (readiness, metrics) run on a worker; the rest, and the API's triage, are
  // answered on the I/O thread, so they never wait behind a stuck store.
  web::RequestMetrics request_metrics;
  web::RequestLog request_log;
  web::RequestObserver observer(request_metrics, request_log);
  auto web_routes = std::make_shared<web::WebRouter>();
  web::AddConsoleRoutes(*web_routes);
  web::AddHealthRoutes(*web_routes, *store, clock);
  web::AddMetricsRoute(*web_routes,
                       {request_metrics, *store, scheduler, clock, system_clock.Now()});
  http.on_refusal = [&observer](const api::ApiResponse& refusal) {
    observer.Observe({}, refusal, std::chrono::steady_clock::now());
  };
  net::HttpServer server(http, [service, web_routes,
                                &observer](api::ApiRequest r) -> api::TriagedRequest {
    if (auto page = web_routes->Owner(r)) {
      if (*page == web::WebRouter::Store::kNotUsed) return {web_routes->Handle(r), nullptr};
      return {std::nullopt, [web_routes, r = std::move(r)] { return *web_routes->Handle(r); }};
    }
    auto started = std::chrono::steady_clock::now();
    api::ApiRequest arrival;  // all the observer reads of the request: when it arrived
    arrival.received = r.received;
    api::TriagedRequest triaged = service->Triage(std::move(r));
    if (triaged.response) {
      observer.Observe(arrival, *triaged.response, started);
      return triaged;
    }
    return {std::nullopt,
            [&observer, arrival = std::move(arrival), started, rest = std::move(triaged.rest)] {
              api::ApiResponse response = rest();
              observer.Observe(arrival, response, started);
              return response;
            },
            triaged.reads_only};
  });
  try {
    server.Start();
  } catch (const std::exception& e) {
    std::cerr << "cuplane serve: cannot listen on " << options.listen << ": " << e.what() << "\n";
    return 1;
  }
  scheduler.Start();

  std::string host = settings->listen.host.find(':') != std::string::npos
                         ? "[" + settings->listen.host + "]"
                         : settings->listen.host;
  std::string base_url =
      std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(server.port());
  if (!PrintDemoLines(*store, *secrets, base_url)) {
    std::cout << "Web console: " << ConsoleUrl(base_url) << "\n";
  }
  std::cout << "cuplane listening on " << base_url << " (store " << store->Describe() << ", clock "
            << options.clock << ")" << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("received signal {}; finishing in-flight requests", signal_number);
  server.Stop();
  scheduler.Stop();
  std::cout << "cuplane stopped" << std::endl;
  return 0;
}

}  // namespace cuplane::cli
