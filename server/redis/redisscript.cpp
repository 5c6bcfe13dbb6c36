#include "redisscript.h"

#include <QCryptographicHash>

namespace Switchboard {

namespace {

// Views, not copies: `name` is a literal, the body a member, the lists outlive send().
RedisCommand scriptCommand(QByteArrayView name, const QByteArray &body,
                           const QList<QByteArray> &keys, const QList<QByteArray> &args)
{
    RedisCommand c(name);
    c.reserve(size_t(3 + keys.size() + args.size()));
    c.arg(QByteArrayView(body)).arg(qint64(keys.size()));
    for (const QByteArray &key : keys)
        c.arg(QByteArrayView(key));
    for (const QByteArray &arg : args)
        c.arg(QByteArrayView(arg));
    return c;
}

} // namespace

RedisScript::RedisScript(QByteArray source)
    : m_source(std::move(source))
    , m_sha1(QCryptographicHash::hash(m_source, QCryptographicHash::Sha1).toHex())
{
}

void RedisScript::evaluate(RedisClient *redis, const QList<QByteArray> &keys,
                           const QList<QByteArray> &args, RedisCallback done) const
{
    RedisCommand bySha = scriptCommand("EVALSHA", m_sha1, keys, args);
    // The lists are shared, not copied, into the callback: the retry rebuilds the command.
    redis->send(bySha, [this, redis, keys, args, done = std::move(done)](const RedisReply &reply) {
        if (reply.isError() && reply.view().startsWith("NOSCRIPT")) {
            RedisCommand bySource = scriptCommand("EVAL", m_source, keys, args);
            redis->send(bySource, done);
            return;
        }
        done(reply);
    });
}

} // namespace Switchboard
