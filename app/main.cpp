// switchboard: the command line, the configuration, then either the console or --headless.

#include "core/commandline.h"
#include "core/configloader.h"
#include "core/logging.h"
#include "core/unixsignals.h"
#include "node/switchboardnode.h"

#include <QCoreApplication>
#include <QProcessEnvironment>
#include <cstdio>
#include <memory>

#ifdef SWITCHBOARD_HAVE_GUI
#include "consolesettings.h"
#include "localnodesource.h"
#include "mainwindow.h"
#include "remotenodesource.h"

#include <QApplication>
#include <QIcon>
#include <QPixmap>
#include <QTimer>
#endif

using namespace Switchboard;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int exitConfigError = 2;

void printLine(FILE *stream, const QString &text)
{
    const QByteArray bytes = text.toLocal8Bit() + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
}

// What must be known before the application object exists, read straight from argv. Not the
// real parser: Qt's own options (-platform, -style...) are still in argv at this point, and
// parseCommandLine() runs on QCoreApplication::arguments() once Qt has taken them out.
struct EarlyOptions
{
    bool headless = false; // --headless (or Go style -headless)
    bool screenshot = false; // --screenshot FILE
    bool informationOnly = false; // --help, --version: print and exit, no window
};

EarlyOptions scanArguments(int argc, char *argv[])
{
    EarlyOptions early;
    for (int i = 1; i < argc; ++i) {
        QByteArrayView name(argv[i]);
        if (!name.startsWith('-'))
            continue; // a value, or a positional argument the parser will refuse
        name = name.sliced(name.startsWith("--") ? 2 : 1);
        if (const qsizetype equals = name.indexOf('='); equals >= 0)
            name = name.first(equals);
        if (name == "headless")
            early.headless = true;
        else if (name == "screenshot")
            early.screenshot = true;
        else if (name == "help" || name == "h" || name == "version")
            early.informationOnly = true;
    }
    return early;
}

#ifdef SWITCHBOARD_HAVE_GUI
// Whether a window could be shown. On Linux and the BSDs a desktop session sets DISPLAY (X11)
// or WAYLAND_DISPLAY; a service started by systemd or over ssh has neither. An explicit
// QT_QPA_PLATFORM (offscreen, vnc, eglfs...) says the operator chose where windows go.
bool hasDisplay()
{
#if defined(Q_OS_UNIX) && !defined(Q_OS_DARWIN)
    return !qEnvironmentVariableIsEmpty("DISPLAY")
        || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
        || !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
#else
    return true;
#endif
}

// The remote nodes remembered in the settings. A screenshot shows this node alone, the same on
// every machine.
void openRemoteNodes(const CommandLineOptions &cli, const ConsoleSettings &settings,
                     MainWindow &window)
{
    if (!cli.screenshotFile.isEmpty())
        return;
    for (const RemoteNodeSettings &remote : settings.remoteNodes())
        window.addNode(new RemoteNodeSource(remote.url, remote.token));
}

// This computer's engines could not start (its port taken by a Switchboard service running here,
// say): the console still watches the nodes it was given, and says why this one is missing.
void openWatchOnlyConsole(const CommandLineOptions &cli, const ConsoleSettings &settings,
                          MainWindow &window, const QString &error)
{
    QObject::connect(&window, &MainWindow::quitRequested, &window, [] {
        qCInfo(lcApp) << "quit chosen in the console: stopping";
        QCoreApplication::exit(0);
    });
    openRemoteNodes(cli, settings, window);
    window.show();
    window.reportStartFailure(error);
}

// The console over the node of this process and the remote nodes remembered in the settings.
// The node is started already; the caller's event loop runs the window.
void openConsole(SwitchboardNode &node, const CommandLineOptions &cli,
                 const ConsoleSettings &settings, MainWindow &window, int &exitCode)
{
    window.addNode(new LocalNodeSource(&node));
    QObject::connect(&window, &MainWindow::quitRequested, &node, [&node] {
        qCInfo(lcApp) << "quit chosen in the console: stopping";
        node.stop();
    });
    openRemoteNodes(cli, settings, window);
    window.show();

    if (cli.screenshotFile.isEmpty())
        return;
    // Long enough for the first status, a few chart points and the simulated traffic's first
    // failures and dead letters.
    constexpr int settleMs = 8000;
    // resize(), not setFixedSize(): the offscreen platform warns about size hints it cannot
    // pass on, and the warning would show in the picture's log view.
    window.resize(1400, 900);
    QTimer::singleShot(settleMs, &window, [&window, &node, &exitCode, file = cli.screenshotFile] {
        if (window.grab().save(file)) {
            qCInfo(lcApp).noquote() << "screenshot saved to" << file;
        } else {
            qCCritical(lcApp).noquote() << "cannot write the screenshot to" << file;
            exitCode = 1;
        }
        window.showStopping();
        node.stop();
    });
}
#endif

} // namespace

int main(int argc, char *argv[])
{
    // Qt's own poll()-based event dispatcher instead of GLib's: the node is a server whose
    // threads live in their event loops, and GLib's adds a layer of locking and wakeups to
    // every posted event and socket notification (measured: ~20 % more POST /events per second
    // with ingress_bench). An operator's explicit QT_NO_GLIB wins.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");

    // The console or headless is decided before the application object is built: a
    // QApplication needs a display and aborts without one, a headless node must not need one.
    const EarlyOptions early = scanArguments(argc, argv);
    QString headlessReason; // why a start without --headless runs headless anyway
#ifdef SWITCHBOARD_HAVE_GUI
    if (early.screenshot && !early.headless && !qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen"); // a picture needs no screen
    const bool console = !early.headless && !early.informationOnly && hasDisplay();
    if (!early.headless && !console)
        headlessReason = u"no display: running headless"_s;
#else
    const bool console = false;
    if (!early.headless)
        headlessReason = u"built without the console (SWITCHBOARD_BUILD_GUI=OFF): running "
                         u"headless"_s;
#endif

    std::unique_ptr<QCoreApplication> app;
#ifdef SWITCHBOARD_HAVE_GUI
    if (console)
        app = std::make_unique<QApplication>(argc, argv);
#endif
    if (!app)
        app = std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setApplicationName(u"switchboard"_s);
    QCoreApplication::setOrganizationName(u"switchboard"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(SWITCHBOARD_VERSION));

    const CommandLineOptions cli = parseCommandLine(QCoreApplication::arguments());
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
    for (const QString &note : loaded.notes)
        qCInfo(lcApp).noquote() << note;

    // `headless: yes` in the file wins over a display (a server that happens to have one).
    const bool showConsole = console && !config.headless;
    if (!cli.screenshotFile.isEmpty() && !showConsole) {
        printLine(stderr,
                  console ? u"switchboard: --screenshot needs the console; the "
                            u"configuration says headless: yes"_s
                          : u"switchboard: --screenshot needs the console, and this "
                            u"build has none (SWITCHBOARD_BUILD_GUI=OFF)"_s);
        return exitConfigError;
    }
    if (console && !showConsole)
        headlessReason = u"headless: yes in the configuration: running headless"_s;
    if (!headlessReason.isEmpty())
        qCInfo(lcApp).noquote() << headlessReason;
    qCInfo(lcApp).noquote() << "switchboard" << QCoreApplication::applicationVersion()
                            << (showConsole ? "starting with the console; engines:"
                                            : "starting headless; engines:")
                            << loaded.enginesEnabled.join(u", "_s)
                            << (config.configFile.isEmpty() ? u"(no config file)"_s
                                                            : u"config "_s + config.configFile);

    SwitchboardNode node(config, loaded.enginesEnabled);
    UnixSignalWatcher signals;
    QObject::connect(&signals, &UnixSignalWatcher::terminationRequested, &node,
                     [&node](int number) {
                         qCInfo(lcApp) << "signal" << number << "received: stopping";
                         node.stop();
                     });
    int exitCode = 0;
    QObject::connect(&node, &SwitchboardNode::stopped, app.get(), [&exitCode] {
        qCInfo(lcApp) << "stopped";
        QCoreApplication::exit(exitCode);
    });

#ifdef SWITCHBOARD_HAVE_GUI
    std::unique_ptr<ConsoleSettings> settings;
    if (showConsole) {
        settings = std::make_unique<ConsoleSettings>();
        installConsoleTranslators(settings->language()); // before the first translated string
    }
#endif

    QString error;
    const bool started = node.start(&error);
    if (!started) {
        qCCritical(lcApp).noquote() << "cannot start:" << error;
        if (!showConsole || !cli.screenshotFile.isEmpty())
            return 1;
    }
    if (!showConsole)
        return app->exec();

#ifdef SWITCHBOARD_HAVE_GUI
    QApplication::setWindowIcon(QIcon(u":/icons/switchboard.svg"_s));
    // Closing the window may leave the engines running in the tray; the process ends when the
    // node has stopped, never because a window closed.
    QApplication::setQuitOnLastWindowClosed(false);
    MainWindow window(settings.get());
    QObject::connect(&signals, &UnixSignalWatcher::terminationRequested, &window,
                     [&window] { window.showStopping(); });
    if (started) {
        openConsole(node, cli, *settings, window, exitCode);
        return app->exec();
    }
    qCWarning(lcApp).noquote()
        << "the console opens without this computer's engines, on the nodes added to it";
    QObject::connect(&signals, &UnixSignalWatcher::terminationRequested, app.get(),
                     [] { QCoreApplication::exit(0); });
    openWatchOnlyConsole(cli, *settings, window, error);
    return app->exec();
#else
    return 1; // not reached: showConsole is false without the console
#endif
}
