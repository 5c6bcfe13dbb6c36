#pragma once

// The node running in this process: its status document is built from the engines' snapshots
// a few times a second (the same document /api/v1/status serves), and REST calls go to its
// own HTTP listener on loopback.

#include "nodesource.h"

#include <QTimer>

namespace Switchboard {

class SwitchboardNode;

class LocalNodeSource : public NodeSource
{
    Q_OBJECT

public:
    explicit LocalNodeSource(SwitchboardNode *node, QObject *parent = nullptr);

    QString displayName() const override;
    QUrl baseUrl() const override;
    bool isLocal() const override { return true; }
    void start() override;
    void request(const QByteArray &method, const QString &path, QObject *context,
                 Reply reply) override;

private:
    void refresh();

    SwitchboardNode *m_node;
    QTimer m_refresh;
};

} // namespace Switchboard
