#include "commandline.h"

#include <QCommandLineParser>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace Switchboard {

namespace {

// Printed after the option list: what an operator migrating from the seeds needs to know.
const auto helpEpilogue = uR"(
Configuration is read in three layers, each overriding the one before:
  1. the YAML file: --config FILE, else switchboard.yaml beside the binary, in
     ~/.config/switchboard/ ($XDG_CONFIG_HOME) or in /etc/xdg/switchboard/
     (skipped when there is none);
  2. the environment variables of the original services, with their meaning and
     defaults: PORT, HEALTH_PORT, REDIS_LOCAL_ADDR, REDIS_LOCAL_DB,
     REDIS_REMOTE_ADDR, REDIS_GROUP, STREAM_EVENTS, READER_BATCH_SIZE, ...;
  3. the options above.
Go-style single-dash options work too: -config config.yaml -log-level debug.
Durations use Go syntax: 300ms, 10s, 1m30s. A bad value stops the start with a
message naming the key, the value and what was expected.
)"_s;

} // namespace

CommandLineOptions parseCommandLine(const QStringList &arguments)
{
    QCommandLineParser parser;
    // "-config" must mean the option "config", as in the Event Hub's Go flags, not the
    // short options -c -o -n -f -i -g bundled together.
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    parser.setApplicationDescription(
        u"Switchboard: the contact centre's event engines (Redis stream sync, event\n"
        u"ingress, polling, timeouts) with their HTTP API and operator console."_s);

    const QCommandLineOption helpOption({u"h"_s, u"help"_s}, u"Show this help and exit."_s);
    const QCommandLineOption versionOption(u"version"_s, u"Print the version and exit."_s);
    const QCommandLineOption headlessOption(
        u"headless"_s,
        u"Run without the console window: engines and HTTP API only (for systemd)."_s);
    const QCommandLineOption configOption(
        u"config"_s,
        u"Read the configuration from <file> (YAML; the Event Hub's config.yaml works "
        u"unchanged)."_s,
        u"file"_s);
    const QCommandLineOption logLevelOption(
        u"log-level"_s,
        u"Log level: debug, info, warn or error. Overrides log.level (default info)."_s,
        u"level"_s);
    const QCommandLineOption enginesOption(
        u"engines"_s,
        u"Run only these engines, comma-separated: sync, ingress, polling, timeouts. "
        u"Overrides engines: and <engine>.enabled in the file."_s,
        u"list"_s);
    const QCommandLineOption portOption(
        u"port"_s, u"Main HTTP port. Overrides PORT and server.port (default 8080)."_s, u"n"_s);
    const QCommandLineOption simulateOption(
        u"simulate"_s,
        u"Feed synthetic traffic to the engines (FreeSWITCH events, call signals, polling "
        u"events, conversations), to try Switchboard without a telephony platform."_s);
    const QCommandLineOption simulateRateOption(
        u"simulate-rate"_s,
        u"Events per second written by --simulate (default 50); implies --simulate."_s, u"n"_s);
    const QCommandLineOption screenshotOption(
        u"screenshot"_s,
        u"Open the console with simulated traffic (implies --simulate), save a picture of "
        u"it to <file> (PNG) after a few seconds, stop and exit."_s,
        u"file"_s);
    parser.addOptions({helpOption, versionOption, headlessOption, configOption, logLevelOption,
                       enginesOption, portOption, simulateOption, simulateRateOption,
                       screenshotOption});

    CommandLineOptions options;
    options.helpText = parser.helpText() + helpEpilogue;
    if (!parser.parse(arguments)) {
        options.error = parser.errorText();
        return options;
    }
    if (!parser.positionalArguments().isEmpty()) {
        options.error = u"unexpected argument \"%1\"; options start with - or --"_s.arg(
            parser.positionalArguments().constFirst());
        return options;
    }

    options.help = parser.isSet(helpOption);
    options.version = parser.isSet(versionOption);
    options.headless = parser.isSet(headlessOption);
    options.simulate = parser.isSet(simulateOption);
    options.configFile = parser.value(configOption);
    if (parser.isSet(logLevelOption))
        options.logLevel = parser.value(logLevelOption);
    if (parser.isSet(enginesOption)) {
        QStringList engines;
        for (const QString &name : parser.value(enginesOption).split(u',', Qt::SkipEmptyParts))
            engines.append(name.trimmed());
        options.engines = engines;
    }

    if (parser.isSet(portOption)) {
        const QString text = parser.value(portOption);
        bool ok = false;
        const uint port = text.toUInt(&ok);
        if (!ok || port < 1 || port > 65535) {
            options.error = u"--port=\"%1\": expected a port number 1..65535"_s.arg(text);
            return options;
        }
        options.port = quint16(port);
    }
    if (parser.isSet(simulateRateOption)) {
        const QString text = parser.value(simulateRateOption);
        bool ok = false;
        const double rate = text.toDouble(&ok);
        if (!ok || !std::isfinite(rate) || rate <= 0) {
            options.error =
                u"--simulate-rate=\"%1\": expected a positive number of events per second"_s.arg(
                    text);
            return options;
        }
        options.simulateRate = rate;
        options.simulate = true;
    }
    if (parser.isSet(screenshotOption)) {
        options.screenshotFile = parser.value(screenshotOption);
        if (options.screenshotFile.isEmpty()) {
            options.error = u"--screenshot=\"\": expected the file to save the picture to"_s;
            return options;
        }
        if (options.headless) {
            options.error = u"--screenshot needs the console; it cannot be combined with "
                            u"--headless"_s;
            return options;
        }
        // A picture of a console with nothing moving would show nothing.
        options.simulate = true;
    }
    return options;
}

} // namespace Switchboard
