<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>ConsoleSettings</name>
    <message>
        <source>System</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QGnomeTheme</name>
    <message>
        <source>&amp;OK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QPlatformTheme</name>
    <message>
        <source>OK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;No</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Switchboard::AddNodeDialog</name>
    <message>
        <source>Add node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the node&apos;s api.token; not needed on this machine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A headless Switchboard node, reached through its HTTP API. From another machine the node must have api.token set in its configuration.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;URL:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API &amp;token:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the node&apos;s URL, e.g. http://host:8080.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a URL: expected http://host:port.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot;: the node speaks http or https, not %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The console watches %1 already.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The console will follow %1/api/v1/stream.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Over plain http the token travels in the clear: use https (a proxy in front of the node) on a network you do not trust.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Switchboard::DeadLetterEndpointsModel</name>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no response</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last error</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Switchboard::DeadLetterView</name>
    <message>
        <source>Last attempt per endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event id:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Domain:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deliveries:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Received:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The event&apos;s body appears here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Body</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a dead letter to see its body and what each endpoint answered.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dead letter %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no route: no endpoint is configured for this domain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>deliveries used up: an endpoint failed every delivery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (event stream sequence %2)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Switchboard::DeadLettersModel</name>
    <message>
        <source>no route</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>deliveries used up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Received %1, failed %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No endpoint is configured for this domain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every delivery allowed was made and some endpoint still failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Domain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deliveries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed endpoints</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last error</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Switchboard::EnginePanel</name>
    <message>
        <source>No figures yet: the engine has not reported since its node started.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Switchboard::IngressEndpointsModel</name>
    <message>
        <source>circuit open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Since %1 the endpoint has failed every call: it gets one call at a time, and its other attempts fail at once, until a call succeeds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no response</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The last call to this endpoint failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Domain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failures</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTP errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timeouts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last success</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last failure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forwards this endpoint answered with 2xx since the node started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forwards that failed: HTTP errors + timeouts + connection errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTP status of the last call</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Switchboard::IngressPanel</name>
    <message>
        <source>Endpoints</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Engine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>POST /events requests since the node started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Published</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events JetStream acknowledged, answered 202</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answered 400 or 413 (invalid event) or 503 (NATS unavailable or too slow)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redeliveries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deliveries after the first, because some endpoint failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dead letters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events this node turned into dead letters since it started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events delivered to every endpoint of their domain, per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forward latency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time from sending a forward to its response</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Consumer pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events in the stream not yet delivered to this node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In flight</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deliveries being forwarded now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NATS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection the engine consumes events on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forward failures per second by domain, last 10 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failures/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List the node&apos;s dead letters again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load older</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listing the dead letters…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Publish the event again: the endpoints that did not have it are called again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drop the dead letter for good</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the node&apos;s first status…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ingress engine not running on this node.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ingress is unhealthy: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2 invalid, %3 unavailable)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2 no route, %3 deliveries used up)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>p50 %1 ms, p99 %2 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown while NATS is down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>connected to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not connected to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dead letters listed at %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not list the dead letters: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not list older dead letters: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dead letters not listed yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No dead letters: every event reached its endpoints</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n dead letter(s) kept, newest first; %1 shown</source>
        <translation>
            <numerusform>%n dead letter kept, newest first; %1 shown</numerusform>
            <numerusform>%n dead letters kept, newest first; %1 shown</numerusform>
        </translation>
    </message>
    <message>
        <source>Select a dead letter to see its body and what each endpoint answered.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading dead letter %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not load dead letter %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replaying dead letter %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dead letter %1 replayed: event %2 published again (sequence %3).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dead letter %1 is gone already (replayed or deleted elsewhere).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replay of dead letter %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete dead letter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete dead letter %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event %1 for %2 is dropped for good: it cannot be replayed afterwards.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleting dead letter %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dead letter %1 deleted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleting dead letter %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 did not answer (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 wants its API token (401: %2); give it to the console for this node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 refused the call (403: %2); the console needs this node&apos;s API token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not found (404: %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the node cannot do it now (503: %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the node answered HTTP %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dead letter %1 is gone: the earlier call, whose answer was lost, went through.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>If the call reached the node, it was done all the same: the list is read again.</source>
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
    <name>Switchboard::LogModel</name>
    <message>
        <source>Alert</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recovered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Switchboard::LogPanel</name>
    <message>
        <source>Filter: text in any column</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recovered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Newest first: the node&apos;s recent warnings and errors, and the console&apos;s alerts about it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rows: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rows: %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Switchboard::LongestWaitingModel</name>
    <message>
        <source>unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, waiting for %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Agent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting since</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Due at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The agent&apos;s last message, which the customer has not answered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The last level notified for this wait</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The level notified next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When the next level is due: waiting since + level × interval</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Switchboard::MainWindow</name>
    <message>
        <source>Switchboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nodes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add node…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Watch a headless node elsewhere, by its URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop watching the selected remote node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add node…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Remove node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Log of the selected node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About Switchboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop watching %1? Its engines keep running; you can add it again later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The new language applies when Switchboard starts again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About Switchboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;Switchboard %1&lt;/h3&gt;&lt;p&gt;The contact centre&apos;s event engines (Redis stream sync, event ingress, polling, timeouts) with their HTTP API and this operator console.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping the engines: finishing the work in flight…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Switchboard: stopping</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close Switchboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the engines running in the tray, or quit?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engines of this node run in this process. Quitting stops them gracefully: the work in flight is finished first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep running in tray</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Switchboard keeps running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engines keep running. Open the console from the tray icon.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problems on the nodes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nodes: %1 · all engines healthy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Switchboard: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unhealthy engines: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not answering: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API token refused: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nodes: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change the selected remote node&apos;s URL or API token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit node…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings not saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The console cannot write its settings to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The change holds until the console quits; at the next start it is lost. Check that the file and its folder belong to you and that the disk is not full.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This computer&apos;s engines cannot start: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The console shows the nodes added to it. A Switchboard service running on this computer is watched with Add node: http://127.0.0.1 and its port. Run switchboard from a terminal to read the log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This computer&apos;s engines are not running: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>waiting for a first status: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>engines starting: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>running no engine: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Switchboard::NodeView</name>
    <message>
        <source>Log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>version %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>host %1, pid %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>started %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>healthy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask the node again now (F5). The console asks on its own too, less often the longer the node is lost, 18 s apart at the most.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>asked again at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>starting: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Switchboard::NodesModel</name>
    <message>
        <source>waiting for the node&apos;s first status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the node gives no reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unreachable since %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ingress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timeouts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Polling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 unhealthy on %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 healthy again on %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 answers again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unhealthy: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all engines healthy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no engine running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: healthy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: not running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not answer (%3) since %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has not answered since %2 (%3). The figures below are its last status.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API token refused since %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 refuses the console&apos;s API token (%3) since %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has refused the console&apos;s API token since %2 (%3). The figures below are its last status.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 refuses the console&apos;s API token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 accepts the console&apos;s API token again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting: %1. Shown as failed if it is not running at %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>starting: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: starting (%2)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Switchboard::PollingPanel</name>
    <message>
        <source>Held long polls and publishes per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>count</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wake latency, publish to answer (p50 solid, p99 dashed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Engine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redis:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Held polls:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Publishes/s:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wake-ups:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reads:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refused tokens:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clients gone:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History lost:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the node&apos;s first status…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Polling engine not running on this node.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Polling unhealthy: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>held polls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>publishes/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>wake latency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, not connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (p50 %2 ms, p99 %3 ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 in flight, %2 queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (none in the last minute)</source>
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
    <message>
        <source>it sent a status of over %1 MiB, more than the console reads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it sends something other than a status: &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it answers /api/v1/status, but its WebSocket stream was refused (%1): a proxy in front of it that does not pass WebSocket upgrades?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Switchboard::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A restart of Switchboard applies the language.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Switchboard::SyncPanel</name>
    <message>
        <source>%1, connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, not connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lag per stream (entries waiting), up to the last 10 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>entries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End-to-end latency per stream (p50 solid, p99 dashed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Streams</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Engine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Local Redis</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where the streams are read (XREADGROUP)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remote Redis</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where the entries are written (XADD)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The consumer group on the local streams</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Consumer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This node&apos;s consumer in the group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Buffered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entries read and not yet acknowledged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back-pressure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading pauses while the buffer is full: the remote is slower than the local streams</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read and write errors since the node started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The last entry confirmed on the remote</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the node&apos;s first status…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync engine not running on this node.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync is unhealthy: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%Ln entries (%1)</source>
        <translation>
            <numerusform>%Ln entry (%1)</numerusform>
            <numerusform>%Ln entries (%1)</numerusform>
        </translation>
    </message>
    <message>
        <source>yes: reading paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>never</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Switchboard::SyncStreamsModel</name>
    <message>
        <source>unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stream</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>p50 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>p99 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rate/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replicated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Consumers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entries in the local stream not yet replicated to the remote</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End-to-end latency, from the event&apos;s own time to the remote write (median and 99th percentile)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entries replicated per second, last second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entries this node confirmed on the remote since it started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Consumers in the group on the local stream</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entries delivered to some consumer of the group and not yet acknowledged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lost unread</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entries trimmed from the local stream (a producer&apos;s MAXLEN or MINID) before the group read them: they are not on the remote. Unknown before Redis 7</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Switchboard::TimeoutsPanel</name>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>overdue %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>level 1: %1, level 2: %2, level 3: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversations waiting, and levels overdue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>count</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notifications per minute, per level (cluster)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>per minute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Longest waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leader</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who raises the notifications: the node holding the lease in Redis. The epoch grows with every new leadership.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changes seen by this console, newest first:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Engine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redis</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where the waiting conversations and the election live</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This node&apos;s name in the election (POD_ID) and its part in it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversations waiting for a customer&apos;s reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Levels due now and not yet notified: grows while no node leads, or while the leader&apos;s checks fall behind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Level n is due n intervals after the agent&apos;s message; the leader checks for due levels this often</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How long the leader&apos;s last check took, its 99th percentile, and how many checks this node ran</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notifications raised since the data began, cluster-wide</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>By this node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notifications this node raised while it led</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leader changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changes of leader this node has seen since it started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Webhook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notifications posted to NOTIFICATION_WEBHOOK_URL by this node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last webhook error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The last failed delivery&apos;s reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests to /conversations/{id}/… this node answered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notifications due in the next 30 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>due</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>minutes from now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>notifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Minute %1 from now: %2 due</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the node&apos;s first status…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timeouts engine not running on this node.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timeouts is unhealthy: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (epoch %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leader lost: %1 at %2, no node leads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No timeouts leader on %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 no longer leads; no node raises notifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leader elected: %1 at %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timeouts leader elected on %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leader changed: %1 → %2 at %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timeouts leader changed on %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>levels overdue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>level %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leader unknown: Redis %1 does not answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No leader since %1: no node raises notifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 leads, epoch %2, since %3 (for %4)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, not connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, leader (epoch %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, standby</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a level every %1, a check every %2 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NOTIFICATION_WEBHOOK_URL is not set on this node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not configured on this node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>last %1 ms, p99 %2 ms (checks: %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed attempts %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>delivered %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>retrying %1, pending %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>agent messages %1, customer responses %2, bad requests %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>set aside %1 (refused, in timeout:refused_notifications)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data lost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Times this node found that Redis had lost the timeouts&apos; data (timeout:dataset gone): the conversations then waiting are notified no more. The node is unhealthy for 15 minutes after each; this stays until it restarts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, the last at %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 conversations were waiting then</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
