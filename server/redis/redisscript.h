#pragma once

#include "redisclient.h"

#include <QByteArray>
#include <QList>

namespace Switchboard {

// A Lua script run by its SHA1 (EVALSHA), and by its source once when the server does not know
// it (NOSCRIPT: a restarted or flushed Redis). The object must outlive the replies it waits for:
// keep it as a member of the object that owns the RedisClient.
class RedisScript
{
public:
    explicit RedisScript(QByteArray source);

    const QByteArray &source() const { return m_source; }
    const QByteArray &sha1() const { return m_sha1; } // hex

    void evaluate(RedisClient *redis, const QList<QByteArray> &keys, const QList<QByteArray> &args,
                  RedisCallback done) const;

private:
    QByteArray m_source;
    QByteArray m_sha1;
};

} // namespace Switchboard
