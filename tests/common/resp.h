#pragma once

// A blocking RESP client for test assertions: parses whole replies into a tree. The code under
// test has its own asynchronous client; this one only checks what landed on a server.

#include <QByteArray>
#include <QList>

namespace Switchboard::Test {

struct Resp
{
    char type = 0; // '+', '-', ':', '$', '*'; 0 when the server did not answer
    bool nil = false;
    QByteArray string;
    qint64 integer = 0;
    QList<Resp> elements;

    bool isError() const { return type == '-' || type == 0; }
};

Resp redisQuery(quint16 port, const QList<QByteArray> &args, int timeoutMs = 10000);

// Sends every command in one write and waits for all replies (a pipeline, for fast set-up).
QList<Resp> redisPipeline(quint16 port, const QList<QList<QByteArray>> &commands,
                          int timeoutMs = 60000);

// XRANGE key - + as (id, fields) pairs, fields flattened field, value, ...
struct StreamEntry
{
    QByteArray id;
    QList<QByteArray> fields;
};
QList<StreamEntry> readStream(quint16 port, const QByteArray &key);

} // namespace Switchboard::Test
