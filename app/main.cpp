// switchboard: the command line, the configuration, then either the console or --headless.

#include "core/commandline.h"
#include "core/configloader.h"
#include "core/logging.h"
#include "core/unixsignals.h"
#include "node/switchboardnode.h"

#include <QCoreApplication>
#include <QProcessEnvironment>
#include <cstdio>

using namespace Switchboard;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int exitConfigError = 2;

void printLine(FILE *stream, const QString &text)
{
    const QByteArray bytes = text.toLocal8Bit() + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
}

} // namespace

int main(int argc, char *argv[])
{
    // Qt's own poll()-based event dispatcher instead of GLib's: the node is a server whose
    // threads live in their event loops, and GLib's adds a layer of locking and wakeups to
    // every posted event and socket notification (measured: ~20 % more POST /events per second
    // with ingress_bench). An operator's explicit QT_NO_GLIB wins.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"switchboard"_s);
    QCoreApplication::setOrganizationName(u"switchboard"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(SWITCHBOARD_VERSION));

    const CommandLineOptions cli = parseCommandLine(app.arguments());
    if (!cli.error.isEmpty()) {
        printLine(stderr, u"switchboard: "_s + cli.error);
        printLine(stderr, u"Try 'switchboard --help'."_s);
        return exitConfigError;
    }
    if (cli.help) {
        printLine(stdout, cli.helpText);
        return 0;
    }
    if (cli.version) {
        printLine(stdout, u"switchboard "_s + QCoreApplication::applicationVersion());
        return 0;
    }

    installLogHandler();
    const ConfigResult loaded = loadConfig(cli, QProcessEnvironment::systemEnvironment());
    if (!loaded.config) {
        printLine(stderr, u"switchboard: "_s + loaded.error);
        return exitConfigError;
    }
    const Config &config = *loaded.config;
    setLogLevel(config.logLevel);
    for (const QString &warning : loaded.warnings)
        qCWarning(lcApp).noquote() << warning;

    // The console is a later piece of work; until it exists every start is headless.
    qCInfo(lcApp).noquote() << "switchboard" << QCoreApplication::applicationVersion()
                            << "starting headless; engines:" << loaded.enginesEnabled.join(u", "_s)
                            << (config.configFile.isEmpty() ? u"(no config file)"_s
                                                            : u"config "_s + config.configFile);

    SwitchboardNode node(config, loaded.enginesEnabled);
    UnixSignalWatcher signals;
    QObject::connect(&signals, &UnixSignalWatcher::terminationRequested, &node,
                     [&node](int number) {
                         qCInfo(lcApp) << "signal" << number << "received: stopping";
                         node.stop();
                     });
    QObject::connect(&node, &SwitchboardNode::stopped, &app, [] {
        qCInfo(lcApp) << "stopped";
        QCoreApplication::exit(0);
    });

    QString error;
    if (!node.start(&error)) {
        qCCritical(lcApp).noquote() << "cannot start:" << error;
        return 1;
    }
    return app.exec();
}
