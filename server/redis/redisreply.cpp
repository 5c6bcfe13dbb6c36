#include "redisreply.h"

#include <hiredis/hiredis.h>

namespace Switchboard {

qint64 RedisReply::toInteger() const
{
    if (!m_reply || m_clientError)
        return 0;
    if (m_reply->type == REDIS_REPLY_INTEGER)
        return m_reply->integer;
    return view().toLongLong();
}

} // namespace Switchboard
