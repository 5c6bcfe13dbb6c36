#include "engine.h"

namespace Switchboard {

void SnapshotBoard::publish(const SnapshotPtr &snapshot)
{
    QMutexLocker lock(&m_mutex);
    m_snapshots[snapshot->engineName()] = snapshot;
}

SnapshotPtr SnapshotBoard::get(const QString &engine) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_snapshots.find(engine);
    return it == m_snapshots.end() ? nullptr : it->second;
}

std::map<QString, SnapshotPtr> SnapshotBoard::all() const
{
    QMutexLocker lock(&m_mutex);
    return m_snapshots;
}

Engine::Engine(const QString &name, SnapshotBoard *board, QObject *parent)
    : QObject(parent)
    , m_name(name)
    , m_board(board)
{
}

} // namespace Switchboard
