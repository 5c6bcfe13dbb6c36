#include "resp.h"

#include <QDeadlineTimer>
#include <QTcpSocket>

namespace Switchboard::Test {

namespace {

// Parses one value at `pos`; returns false when the buffer does not hold all of it yet.
bool parse(const QByteArray &buffer, qsizetype &pos, Resp &out)
{
    const qsizetype eol = buffer.indexOf("\r\n", pos);
    if (eol < 0)
        return false;
    out.type = buffer.at(pos);
    const QByteArray line = buffer.mid(pos + 1, eol - pos - 1);
    pos = eol + 2;
    switch (out.type) {
    case '+':
    case '-':
        out.string = line;
        return true;
    case ':':
        out.integer = line.toLongLong();
        return true;
    case '$': {
        const qlonglong n = line.toLongLong();
        if (n < 0) {
            out.nil = true;
            return true;
        }
        if (buffer.size() < pos + n + 2)
            return false;
        out.string = buffer.mid(pos, n);
        pos += n + 2;
        return true;
    }
    case '*': {
        const qlonglong n = line.toLongLong();
        if (n < 0) {
            out.nil = true;
            return true;
        }
        out.elements.reserve(n);
        for (qlonglong i = 0; i < n; ++i) {
            Resp element;
            if (!parse(buffer, pos, element))
                return false;
            out.elements.append(std::move(element));
        }
        return true;
    }
    default:
        return true;
    }
}

} // namespace

static QByteArray encode(const QList<QByteArray> &args)
{
    QByteArray command = '*' + QByteArray::number(args.size()) + "\r\n";
    for (const QByteArray &a : args)
        command += '$' + QByteArray::number(a.size()) + "\r\n" + a + "\r\n";
    return command;
}

QList<Resp> redisPipeline(quint16 port, const QList<QList<QByteArray>> &commands, int timeoutMs)
{
    QList<Resp> replies;
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(timeoutMs))
        return replies;
    QByteArray out;
    for (const auto &command : commands)
        out += encode(command);
    socket.write(out);
    QByteArray buffer;
    qsizetype pos = 0;
    QDeadlineTimer deadline(timeoutMs);
    while (replies.size() < commands.size() && !deadline.hasExpired()) {
        if (!socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))))
            break;
        buffer += socket.readAll();
        while (replies.size() < commands.size()) {
            qsizetype next = pos;
            Resp reply;
            if (!parse(buffer, next, reply))
                break;
            replies.append(std::move(reply));
            pos = next;
        }
        buffer.remove(0, pos);
        pos = 0;
    }
    return replies;
}

Resp redisQuery(quint16 port, const QList<QByteArray> &args, int timeoutMs)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(timeoutMs))
        return {};
    socket.write(encode(args));
    QByteArray buffer;
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (!socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))))
            break;
        buffer += socket.readAll();
        qsizetype pos = 0;
        Resp reply;
        if (parse(buffer, pos, reply))
            return reply;
    }
    return {};
}

QList<StreamEntry> readStream(quint16 port, const QByteArray &key)
{
    QList<StreamEntry> entries;
    QByteArray from = "-";
    // Pages of 5000 keep each reply small; the loop ends when a page comes back short.
    for (int page = 0; page < 10000; ++page) {
        const Resp reply = redisQuery(port, {"XRANGE", key, from, "+", "COUNT", "5000"});
        for (const Resp &entry : reply.elements) {
            StreamEntry e;
            e.id = entry.elements.value(0).string;
            for (const Resp &f : entry.elements.value(1).elements)
                e.fields.append(f.string);
            entries.append(std::move(e));
        }
        if (reply.elements.size() < 5000)
            break;
        from = '(' + entries.last().id;
    }
    return entries;
}

} // namespace Switchboard::Test
