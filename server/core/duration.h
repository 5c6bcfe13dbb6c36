#pragma once

// Durations as the seeds' Go services wrote them (READER_MAX_LATENCY=300ms,
// HEALTH_CHECK_INTERVAL=5s), so that an existing environment file keeps working unchanged.

#include <QString>
#include <QStringView>
#include <chrono>
#include <optional>

namespace Switchboard {

// Parses Go's time.ParseDuration syntax: one or more <number><unit> parts ("300ms", "1m30s",
// "1.5s", "2h"), units ns, us, µs, ms, s, m, h, and the bare "0". Returns std::nullopt for
// negative values, unitless non-zero numbers and anything else Go would reject. Values are
// rounded up to whole milliseconds, so a non-zero duration never becomes zero.
std::optional<std::chrono::milliseconds> parseGoDuration(QStringView text);

// The shortest Go-syntax form that parseGoDuration() reads back: "300ms", "1.5s", "1m30s", "2h".
QString formatDuration(std::chrono::milliseconds duration);

} // namespace Switchboard
