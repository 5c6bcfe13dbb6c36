<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="pt_BR">
<context>
    <name>Switchboard::IngressPanel</name>
    <message>
        <source>Ingress</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Switchboard::LocalNodeSource</name>
    <message>
        <source>this node (%1)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Switchboard::RemoteNodeSource</name>
    <message>
        <source>no status for %1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>connection closed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
