#pragma once

#include "config.h"

#include <QLoggingCategory>

namespace Switchboard {

Q_DECLARE_LOGGING_CATEGORY(lcApp)
Q_DECLARE_LOGGING_CATEGORY(lcCore)

// One line per message on stderr: "2026-11-23T08:00:00.123Z info  switchboard.sync: text".
// Systemd's journal and an operator's terminal both read it as is.
void installLogHandler();

// --log-level: maps onto QLoggingCategory filter rules for every "switchboard.*" category.
void setLogLevel(LogLevel level);

// A recent warning or error, kept for the console's log view and /api/v1/status.
struct LogRecord
{
    QString time; // RFC 3339, UTC
    QString level; // "warning" | "error"
    QString category; // "switchboard.sync"
    QString message;
};

// The last warnings and errors (bounded ring), thread-safe.
QList<LogRecord> recentLogRecords();

} // namespace Switchboard
