#include "wrkrun.h"

#include "serverprocess.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>

using namespace Qt::Literals::StringLiterals;

namespace Switchboard::Test {

namespace {

// "1.23ms", "456.00us", "2.00s", "1.00m" → milliseconds.
double wrkTimeMs(const QString &number, const QString &unit)
{
    const double value = number.toDouble();
    if (unit == u"us"_s)
        return value / 1000;
    if (unit == u"ms"_s)
        return value;
    if (unit == u"s"_s)
        return value * 1000;
    if (unit == u"m"_s)
        return value * 60000;
    if (unit == u"h"_s)
        return value * 3600000;
    return -1;
}

} // namespace

WrkResult parseWrkOutput(const QString &output)
{
    WrkResult result;
    result.output = output;
    static const QRegularExpression total(u"(\\d+) requests in ([\\d.]+)(us|ms|s|m|h)"_s);
    static const QRegularExpression perSecond(u"Requests/sec:\\s+([\\d.]+)"_s);
    static const QRegularExpression p50(u"^\\s*50%\\s+([\\d.]+)(us|ms|s|m|h)"_s,
                                        QRegularExpression::MultilineOption);
    static const QRegularExpression p99(u"^\\s*99%\\s+([\\d.]+)(us|ms|s|m|h)"_s,
                                        QRegularExpression::MultilineOption);
    static const QRegularExpression non2xx(u"Non-2xx or 3xx responses:\\s+(\\d+)"_s);
    static const QRegularExpression socket(
        u"Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)"_s);
    if (const QRegularExpressionMatch m = total.match(output); m.hasMatch()) {
        result.requests = m.captured(1).toLongLong();
        result.seconds = wrkTimeMs(m.captured(2), m.captured(3)) / 1000;
    }
    const QRegularExpressionMatch rate = perSecond.match(output);
    if (rate.hasMatch())
        result.requestsPerSecond = rate.captured(1).toDouble();
    if (const QRegularExpressionMatch m = p50.match(output); m.hasMatch())
        result.p50Ms = wrkTimeMs(m.captured(1), m.captured(2));
    if (const QRegularExpressionMatch m = p99.match(output); m.hasMatch())
        result.p99Ms = wrkTimeMs(m.captured(1), m.captured(2));
    if (const QRegularExpressionMatch m = non2xx.match(output); m.hasMatch())
        result.non2xx = m.captured(1).toLongLong();
    if (const QRegularExpressionMatch m = socket.match(output); m.hasMatch()) {
        result.socketErrors =
            m.captured(1).toLongLong() + m.captured(2).toLongLong() + m.captured(3).toLongLong();
        result.timeouts = m.captured(4).toLongLong();
    }
    if (result.seconds <= 0 || !rate.hasMatch())
        result.error = u"cannot read wrk's output: "_s + output.simplified().right(500);
    return result;
}

WrkResult runWrk(const WrkOptions &options)
{
    QStringList arguments {u"-t"_s, QString::number(options.threads), u"-c"_s,
                           QString::number(options.connections), u"-d"_s,
                           u"%1s"_s.arg(options.durationSeconds),
                           // A slow answer is measured, not dropped as a timeout at wrk's
                           // default 2 s.
                           u"--timeout"_s, u"10s"_s};
    if (options.latency)
        arguments << u"--latency"_s;
    for (const QString &header : options.headers)
        arguments << u"-H"_s << header;
    if (!options.scriptPath.isEmpty())
        arguments << u"-s"_s << options.scriptPath;
    arguments << options.url;
    if (!options.scriptArguments.isEmpty())
        arguments << u"--"_s << options.scriptArguments;

    QProcess wrk;
    wrk.setProcessChannelMode(QProcess::MergedChannels);
    wrk.start(u"wrk"_s, arguments);
    WrkResult result;
    if (!wrk.waitForStarted(5000)) {
        result.error = u"wrk did not start (apt-get install wrk): "_s + wrk.errorString();
        return result;
    }
    QElapsedTimer clock;
    clock.start();
    const QDeadlineTimer deadline(qint64(options.durationSeconds) * 1000 + 30000);
    while (!wrk.waitForFinished(250) && wrk.state() != QProcess::NotRunning) {
        if (deadline.hasExpired()) {
            killByPid(wrk);
            result.error = u"wrk did not finish in time"_s;
            return result;
        }
        if (options.sample)
            options.sample(double(clock.nsecsElapsed()) / 1e9);
    }
    return parseWrkOutput(QString::fromLocal8Bit(wrk.readAll()));
}

} // namespace Switchboard::Test
