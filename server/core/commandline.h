#pragma once

// The command line, parsed but not yet applied: loadConfig() (configloader.h) lays it over the
// file and the environment. Kept apart from the loader so that --help and --version need no
// configuration at all.

#include <QString>
#include <QStringList>
#include <optional>

namespace Switchboard {

struct CommandLineOptions
{
    bool help = false;
    bool version = false;
    bool headless = false;
    bool simulate = false; // --simulate, or implied by --simulate-rate
    std::optional<double> simulateRate; // --simulate-rate: events per second, > 0
    QString configFile; // --config; empty: the default locations
    std::optional<QString> logLevel; // --log-level, checked by loadConfig()
    std::optional<QStringList> engines; // --engines sync,ingress, checked by loadConfig()
    std::optional<quint16> port; // --port, 1..65535
    // --screenshot FILE.png: the console with simulated traffic, grabbed to FILE after a few
    // seconds, then a clean exit (documentation, checks of the console). Implies --simulate.
    QString screenshotFile;
    QString error; // one line; empty when the arguments were valid
    QString helpText; // what --help prints
};

// `arguments` as QCoreApplication::arguments() gives them: the program first. Both the GNU
// style (--config FILE, --config=FILE) and the Event Hub's Go style (-config FILE,
// -log-level debug) are accepted.
CommandLineOptions parseCommandLine(const QStringList &arguments);

} // namespace Switchboard
