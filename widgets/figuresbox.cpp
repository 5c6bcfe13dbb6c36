#include "figuresbox.h"

#include <QGridLayout>
#include <QLabel>

namespace Switchboard {

FiguresBox::FiguresBox(const QString &title, const QList<Figure> &figures, int columns,
                       QWidget *parent)
    : QGroupBox(title, parent)
    , m_grid(new QGridLayout(this))
{
    for (int figure = 0; figure < figures.size(); ++figure) {
        auto *name = new QLabel(figures.at(figure).name + u':', this);
        name->setToolTip(figures.at(figure).toolTip);
        auto *value = new QLabel(this);
        value->setToolTip(figures.at(figure).toolTip);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        // A long value (a webhook's last error, a host name) wraps, and a word too long for
        // the room is cut rather than widening the panel: it set the window's minimum width,
        // and the window grew past the screen.
        value->setWordWrap(true);
        value->setMinimumWidth(value->fontMetrics().averageCharWidth() * minimumValueChars);
        const int row = figure / columns;
        const int column = (figure % columns) * 2;
        m_grid->addWidget(name, row, column);
        m_grid->addWidget(value, row, column + 1);
        m_grid->setColumnStretch(column + 1, 1);
        m_values.append(value);
    }
}

void FiguresBox::keepToTop()
{
    m_grid->setRowStretch(m_grid->rowCount(), 1);
}

} // namespace Switchboard
