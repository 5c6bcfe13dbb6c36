#pragma once

// wrk, the HTTP load generator of the benchmarks (apt-get install wrk): one run as a child
// process, and its summary read back as figures.

#include <QString>
#include <QStringList>
#include <functional>

namespace Switchboard::Test {

struct WrkOptions
{
    QString url; // e.g. http://127.0.0.1:PORT/events
    int threads = 2; // wrk -t; wrk refuses more threads than connections
    int connections = 50;
    int durationSeconds = 10;
    QString scriptPath; // wrk -s, a Lua script; none when empty
    QStringList scriptArguments; // after "--": the script's init(args)
    QStringList headers; // wrk -H each, e.g. "Authorization: Bearer ..."
    bool latency = true; // --latency: the percentiles p50Ms and p99Ms are read from
    // Called about every 250 ms while wrk runs, with the seconds since its start.
    std::function<void(double secondsSinceStart)> sample;
};

struct WrkResult
{
    QString error; // empty when wrk ran and its summary was read
    QString output; // wrk's stdout and stderr
    qint64 requests = 0; // answered, whatever the status
    double seconds = 0;
    double requestsPerSecond = 0; // wrk's figure: every status
    double p50Ms = -1; // -1: not printed (no --latency)
    double p99Ms = -1;
    qint64 non2xx = 0; // "Non-2xx or 3xx responses"
    qint64 socketErrors = 0; // connect + read + write
    qint64 timeouts = 0;

    bool ok() const { return error.isEmpty() && seconds > 0; }
    qint64 accepted() const { return requests - non2xx; }
    double acceptedPerSecond() const { return ok() ? double(accepted()) / seconds : 0; }
};

// Reads wrk's summary; `error` says so when the totals are not in it.
WrkResult parseWrkOutput(const QString &output);

// Runs wrk to its end, --timeout 10s. Gives up (SIGKILL by PID) when it has not ended 30 s after
// its duration.
WrkResult runWrk(const WrkOptions &options);

} // namespace Switchboard::Test
