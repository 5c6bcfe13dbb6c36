#pragma once

// Where the polling engine keeps its events: Redis streams, so that every node on one Redis
// serves the same events and a publish on one node wakes the polls held on all of them.
//
//   <prefix>:admin          every event                 (/v1/polling/admin/events)
//   <prefix>:type:<type>    the events of one type      (/v1/polling/events?eventType=)
//   <prefix>:user:<userId>  one user's events           (/v1/polling/user/events)
//   <prefix>:wake           pub/sub: "<id>\n<publish time, µs>\n<stream>\n<stream>..."
//   <prefix>:trimmed:<stream>  the newest id trimmed from that stream
//
// An event goes into its streams under one id, in one Lua script (atomic, so the ids of every
// stream grow together), which also trims each stream to EVENT_TTL_SECONDS by id (MINID: the
// ids are milliseconds) and keeps the newest id it trimmed, so that a read can say when the
// client's lastEventId is behind what was trimmed: the client knows it missed events. A stream
// with no publish for twice the TTL expires whole; reads never serve entries older than the
// TTL, trimmed or not.

#include "core/config.h"
#include "redis/redisscript.h"

#include <QByteArray>
#include <QList>
#include <functional>

namespace Switchboard {

class RedisClient;
class RedisReply;
struct PollingEvent;

class PollingStore
{
public:
    struct Entry
    {
        QByteArray id;
        QByteArray userId; // empty: nobody's own
        bool adminOnly = false;
        QByteArray json; // the event without its id
    };

    struct Page
    {
        QString error; // Redis failed; empty on success
        QList<Entry> entries; // oldest first
        bool historyLost = false; // events after the given id were trimmed or expired
        // With no entries, where to resume: the stream's newest id or, for a stream with
        // nothing kept, an id just below now, so that nothing published later is missed. Set for a
        // first read, when history was lost, and (just below now) when `afterId` is older
        // than the TTL with nothing missed; empty otherwise: resume at `afterId`.
        QByteArray streamLastId;
        // Entries after these were left for their size (read()'s `maxBytes`): read on.
        bool more = false;
    };

    PollingStore(RedisClient *redis, const PollingConfig &config);

    QByteArray adminStream() const { return m_prefix + ":admin"; }
    QByteArray typeStream(const QString &eventType) const;
    QByteArray userStream(const QString &userId) const;
    QByteArray wakeChannel() const { return m_prefix + ":wake"; }

    // `done(id, error)`: the id given to the event, or why it was not stored.
    void publish(const PollingEvent &event,
                 std::function<void(const QByteArray &id, const QString &error)> done);
    // The entries after `afterId`, at most `count` and, past the first, at most `maxBytes` of
    // them; an empty `afterId` reads the newest (a client's first poll).
    void read(const QByteArray &stream, const QByteArray &afterId, int count, qsizetype maxBytes,
              std::function<void(Page &&page)> done);

private:
    RedisClient *m_redis;
    QByteArray m_prefix;
    QByteArray m_ttlMs;
    RedisScript m_publish;
    RedisScript m_read;
};

} // namespace Switchboard
