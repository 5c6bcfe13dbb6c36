#pragma once

// The one config loader: YAML file, then the seeds' environment variables, then the command
// line, merged into Config and validated once, at start.

#include "commandline.h"
#include "config.h"

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <optional>

namespace Switchboard {

struct ConfigResult
{
    std::optional<Config> config; // empty when error is set
    // One line naming where the value came from, the key, the value and what was expected:
    // `REDIS_LOCAL_DB="abc": expected a non-negative integer`. Never shows a password.
    QString error;
    QStringList warnings; // e.g. `config.yaml: unknown key "sync.foo" ignored`
    // Decisions worth a line in the log that are not mistakes: "polling is off: JWT_SECRET ...".
    QStringList notes;
    QStringList enginesEnabled; // names of the engines to start, e.g. {"sync"}
};

// Reads cli.configFile, or switchboard.yaml beside the binary (when a QCoreApplication exists)
// or in the config directory's switchboard/ (QStandardPaths::GenericConfigLocation) when it is
// empty; then applies `env`, then `cli`.
ConfigResult loadConfig(const CommandLineOptions &cli, const QProcessEnvironment &env);

} // namespace Switchboard
