<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi">
<context>
    <name>ConsoleSettings</name>
    <message>
        <source>System</source>
        <translation>Theo hệ thống</translation>
    </message>
</context>
<context>
    <name>QGnomeTheme</name>
    <message>
        <source>&amp;OK</source>
        <translation>&amp;OK</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>&amp;Hủy</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>Đó&amp;ng</translation>
    </message>
</context>
<context>
    <name>QPlatformTheme</name>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>&amp;Yes</source>
        <translation>&amp;Có</translation>
    </message>
    <message>
        <source>&amp;No</source>
        <translation>&amp;Không</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
</context>
<context>
    <name>Switchboard::AddNodeDialog</name>
    <message>
        <source>Add node</source>
        <translation>Thêm node</translation>
    </message>
    <message>
        <source>the node&apos;s api.token; not needed on this machine</source>
        <translation>api.token của node; không cần trên máy này</translation>
    </message>
    <message>
        <source>A headless Switchboard node, reached through its HTTP API. From another machine the node must have api.token set in its configuration.</source>
        <translation>Một node Switchboard chạy headless, truy cập qua HTTP API của nó. Từ máy khác, node phải đặt api.token trong cấu hình.</translation>
    </message>
    <message>
        <source>&amp;URL:</source>
        <translation>&amp;URL:</translation>
    </message>
    <message>
        <source>API &amp;token:</source>
        <translation>API &amp;token:</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Thêm</translation>
    </message>
    <message>
        <source>Enter the node&apos;s URL, e.g. http://host:8080.</source>
        <translation>Nhập URL của node, ví dụ http://host:8080.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a URL: expected http://host:port.</source>
        <translation>&quot;%1&quot; không phải là URL: cần có dạng http://host:port.</translation>
    </message>
    <message>
        <source>&quot;%1&quot;: the node speaks http or https, not %2.</source>
        <translation>&quot;%1&quot;: node chỉ dùng http hoặc https, không dùng %2.</translation>
    </message>
    <message>
        <source>The console watches %1 already.</source>
        <translation>Bảng điều khiển đã theo dõi %1 rồi.</translation>
    </message>
    <message>
        <source>The console will follow %1/api/v1/stream.</source>
        <translation>Bảng điều khiển sẽ theo dõi %1/api/v1/stream.</translation>
    </message>
    <message>
        <source>Over plain http the token travels in the clear: use https (a proxy in front of the node) on a network you do not trust.</source>
        <translation>Qua http thường, token được gửi đi không mã hóa: hãy dùng https (một proxy đặt trước node) trên mạng không tin cậy.</translation>
    </message>
    <message>
        <source>Edit node</source>
        <translation>Sửa node</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
</context>
<context>
    <name>Switchboard::DeadLetterEndpointsModel</name>
    <message>
        <source>yes</source>
        <translation>có</translation>
    </message>
    <message>
        <source>no</source>
        <translation>không</translation>
    </message>
    <message>
        <source>no response</source>
        <translation>không phản hồi</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>Endpoint</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Đã giao</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Số lần thử</translation>
    </message>
    <message>
        <source>Last status</source>
        <translation>Trạng thái cuối</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Lỗi gần nhất</translation>
    </message>
</context>
<context>
    <name>Switchboard::DeadLetterView</name>
    <message>
        <source>Last attempt per endpoint</source>
        <translation>Lần thử cuối theo endpoint</translation>
    </message>
    <message>
        <source>Event id:</source>
        <translation>ID sự kiện:</translation>
    </message>
    <message>
        <source>Domain:</source>
        <translation>Tên miền:</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>Lý do:</translation>
    </message>
    <message>
        <source>Deliveries:</source>
        <translation>Số lần giao:</translation>
    </message>
    <message>
        <source>Received:</source>
        <translation>Nhận lúc:</translation>
    </message>
    <message>
        <source>Failed:</source>
        <translation>Lỗi lúc:</translation>
    </message>
    <message>
        <source>Subject:</source>
        <translation>Subject:</translation>
    </message>
    <message>
        <source>The event&apos;s body appears here.</source>
        <translation>Nội dung sự kiện hiển thị ở đây.</translation>
    </message>
    <message>
        <source>Body</source>
        <translation>Nội dung</translation>
    </message>
    <message>
        <source>Select a dead letter to see its body and what each endpoint answered.</source>
        <translation>Chọn một thư chết để xem nội dung và phản hồi của từng endpoint.</translation>
    </message>
    <message>
        <source>Dead letter %1</source>
        <translation>Thư chết %1</translation>
    </message>
    <message>
        <source>no route: no endpoint is configured for this domain</source>
        <translation>không có tuyến: chưa cấu hình endpoint nào cho tên miền này</translation>
    </message>
    <message>
        <source>deliveries used up: an endpoint failed every delivery</source>
        <translation>hết lượt giao: một endpoint lỗi ở mọi lần giao</translation>
    </message>
    <message>
        <source>%1 (event stream sequence %2)</source>
        <translation>%1 (số thứ tự %2 trong stream sự kiện)</translation>
    </message>
</context>
<context>
    <name>Switchboard::DeadLettersModel</name>
    <message>
        <source>no route</source>
        <translation>không có tuyến</translation>
    </message>
    <message>
        <source>deliveries used up</source>
        <translation>hết lượt giao</translation>
    </message>
    <message>
        <source>Received %1, failed %2</source>
        <translation>Nhận lúc %1, lỗi lúc %2</translation>
    </message>
    <message>
        <source>No endpoint is configured for this domain</source>
        <translation>Chưa cấu hình endpoint nào cho tên miền này</translation>
    </message>
    <message>
        <source>Every delivery allowed was made and some endpoint still failed</source>
        <translation>Đã giao hết số lần cho phép mà vẫn có endpoint lỗi</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Lỗi lúc</translation>
    </message>
    <message>
        <source>Domain</source>
        <translation>Tên miền</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Lý do</translation>
    </message>
    <message>
        <source>Deliveries</source>
        <translation>Số lần giao</translation>
    </message>
    <message>
        <source>Failed endpoints</source>
        <translation>Endpoint lỗi</translation>
    </message>
    <message>
        <source>Event id</source>
        <translation>ID sự kiện</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Lỗi gần nhất</translation>
    </message>
</context>
<context>
    <name>Switchboard::EnginePanel</name>
    <message>
        <source>No figures yet: the engine has not reported since its node started.</source>
        <translation>Chưa có số liệu: bộ xử lý chưa báo cáo kể từ khi node khởi động.</translation>
    </message>
</context>
<context>
    <name>Switchboard::IngressEndpointsModel</name>
    <message>
        <source>circuit open</source>
        <translation>mạch ngắt</translation>
    </message>
    <message>
        <source>Since %1 the endpoint has failed every call: it gets one call at a time, and its other attempts fail at once, until a call succeeds</source>
        <translation>Từ %1 mọi lần gọi tới endpoint này đều lỗi: nó chỉ nhận một lần gọi mỗi lúc, các lần thử khác thất bại ngay, cho đến khi có một lần gọi thành công</translation>
    </message>
    <message>
        <source>no response</source>
        <translation>không phản hồi</translation>
    </message>
    <message>
        <source>The last call to this endpoint failed</source>
        <translation>Lần gọi gần nhất tới endpoint này bị lỗi</translation>
    </message>
    <message>
        <source>Domain</source>
        <translation>Tên miền</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>Endpoint</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Đã giao</translation>
    </message>
    <message>
        <source>Failures</source>
        <translation>Thất bại</translation>
    </message>
    <message>
        <source>HTTP errors</source>
        <translation>Lỗi HTTP</translation>
    </message>
    <message>
        <source>Timeouts</source>
        <translation>Timeout</translation>
    </message>
    <message>
        <source>Connection errors</source>
        <translation>Lỗi kết nối</translation>
    </message>
    <message>
        <source>Last status</source>
        <translation>Trạng thái cuối</translation>
    </message>
    <message>
        <source>Last success</source>
        <translation>Thành công gần nhất</translation>
    </message>
    <message>
        <source>Last failure</source>
        <translation>Thất bại gần nhất</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Lỗi gần nhất</translation>
    </message>
    <message>
        <source>Forwards this endpoint answered with 2xx since the node started</source>
        <translation>Số lần chuyển tiếp mà endpoint này trả về 2xx kể từ khi node khởi động</translation>
    </message>
    <message>
        <source>Forwards that failed: HTTP errors + timeouts + connection errors</source>
        <translation>Số lần chuyển tiếp thất bại: lỗi HTTP + timeout + lỗi kết nối</translation>
    </message>
    <message>
        <source>HTTP status of the last call</source>
        <translation>Mã trạng thái HTTP của lần gọi gần nhất</translation>
    </message>
</context>
<context>
    <name>Switchboard::IngressPanel</name>
    <message>
        <source>Endpoints</source>
        <translation>Endpoint</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Bộ xử lý</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Đã nhận</translation>
    </message>
    <message>
        <source>POST /events requests since the node started</source>
        <translation>Số yêu cầu POST /events kể từ khi node khởi động</translation>
    </message>
    <message>
        <source>Published</source>
        <translation>Đã phát hành</translation>
    </message>
    <message>
        <source>Events JetStream acknowledged, answered 202</source>
        <translation>Sự kiện đã được JetStream xác nhận, trả về 202</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Bị từ chối</translation>
    </message>
    <message>
        <source>Answered 400 or 413 (invalid event) or 503 (NATS unavailable or too slow)</source>
        <translation>Trả về 400 hoặc 413 (sự kiện không hợp lệ) hoặc 503 (NATS không khả dụng hoặc quá chậm)</translation>
    </message>
    <message>
        <source>Redeliveries</source>
        <translation>Giao lại</translation>
    </message>
    <message>
        <source>Deliveries after the first, because some endpoint failed</source>
        <translation>Các lần giao sau lần đầu, do có endpoint bị lỗi</translation>
    </message>
    <message>
        <source>Dead letters</source>
        <translation>Thư chết</translation>
    </message>
    <message>
        <source>Events this node turned into dead letters since it started</source>
        <translation>Sự kiện mà node này đã chuyển thành thư chết kể từ khi khởi động</translation>
    </message>
    <message>
        <source>Events/s</source>
        <translation>Sự kiện/s</translation>
    </message>
    <message>
        <source>Events delivered to every endpoint of their domain, per second</source>
        <translation>Số sự kiện đã giao tới mọi endpoint của tên miền, mỗi giây</translation>
    </message>
    <message>
        <source>Forward latency</source>
        <translation>Độ trễ chuyển tiếp</translation>
    </message>
    <message>
        <source>Time from sending a forward to its response</source>
        <translation>Thời gian từ lúc gửi chuyển tiếp đến khi có phản hồi</translation>
    </message>
    <message>
        <source>Consumer pending</source>
        <translation>Chờ ở consumer</translation>
    </message>
    <message>
        <source>Events in the stream not yet delivered to this node</source>
        <translation>Sự kiện trong stream chưa giao tới node này</translation>
    </message>
    <message>
        <source>In flight</source>
        <translation>Đang xử lý</translation>
    </message>
    <message>
        <source>Deliveries being forwarded now</source>
        <translation>Các lần giao đang được chuyển tiếp</translation>
    </message>
    <message>
        <source>NATS</source>
        <translation>NATS</translation>
    </message>
    <message>
        <source>The connection the engine consumes events on</source>
        <translation>Kết nối mà bộ xử lý dùng để nhận sự kiện</translation>
    </message>
    <message>
        <source>Forward failures per second by domain, last 10 minutes</source>
        <translation>Lỗi chuyển tiếp mỗi giây theo tên miền, 10 phút gần nhất</translation>
    </message>
    <message>
        <source>failures/s</source>
        <translation>lỗi/s</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Làm mới</translation>
    </message>
    <message>
        <source>List the node&apos;s dead letters again</source>
        <translation>Liệt kê lại thư chết của node</translation>
    </message>
    <message>
        <source>Load older</source>
        <translation>Tải thư cũ hơn</translation>
    </message>
    <message>
        <source>Listing the dead letters…</source>
        <translation>Đang liệt kê thư chết…</translation>
    </message>
    <message>
        <source>Replay</source>
        <translation>Gửi lại</translation>
    </message>
    <message>
        <source>Publish the event again: the endpoints that did not have it are called again</source>
        <translation>Phát hành lại sự kiện: các endpoint chưa nhận được sẽ được gọi lại</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Xóa…</translation>
    </message>
    <message>
        <source>Drop the dead letter for good</source>
        <translation>Xóa vĩnh viễn thư chết</translation>
    </message>
    <message>
        <source>Waiting for the node&apos;s first status…</source>
        <translation>Đang chờ trạng thái đầu tiên của node…</translation>
    </message>
    <message>
        <source>Ingress engine not running on this node.</source>
        <translation>Bộ xử lý tiếp nhận không chạy trên node này.</translation>
    </message>
    <message>
        <source>Ingress is unhealthy: %1</source>
        <translation>Tiếp nhận có sự cố: %1</translation>
    </message>
    <message>
        <source>%1 (%2 invalid, %3 unavailable)</source>
        <translation>%1 (%2 không hợp lệ, %3 không khả dụng)</translation>
    </message>
    <message>
        <source>%1 (%2 no route, %3 deliveries used up)</source>
        <translation>%1 (%2 không có tuyến, %3 hết lượt giao)</translation>
    </message>
    <message>
        <source>p50 %1 ms, p99 %2 ms</source>
        <translation>p50 %1 ms, p99 %2 ms</translation>
    </message>
    <message>
        <source>unknown while NATS is down</source>
        <translation>không rõ khi NATS ngừng hoạt động</translation>
    </message>
    <message>
        <source>connected to %1</source>
        <translation>đã kết nối tới %1</translation>
    </message>
    <message>
        <source>not connected to %1</source>
        <translation>không kết nối được tới %1</translation>
    </message>
    <message>
        <source>Dead letters listed at %1.</source>
        <translation>Đã liệt kê thư chết lúc %1.</translation>
    </message>
    <message>
        <source>Could not list the dead letters: %1</source>
        <translation>Không liệt kê được thư chết: %1</translation>
    </message>
    <message>
        <source>Could not list older dead letters: %1</source>
        <translation>Không liệt kê được thư chết cũ hơn: %1</translation>
    </message>
    <message>
        <source>Dead letters not listed yet</source>
        <translation>Chưa liệt kê thư chết</translation>
    </message>
    <message>
        <source>No dead letters: every event reached its endpoints</source>
        <translation>Không có thư chết: mọi sự kiện đã tới endpoint</translation>
    </message>
    <message numerus="yes">
        <source>%n dead letter(s) kept, newest first; %1 shown</source>
        <translation>
            <numerusform>%n thư chết đang lưu, mới nhất trước; đang hiển thị %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Select a dead letter to see its body and what each endpoint answered.</source>
        <translation>Chọn một thư chết để xem nội dung và phản hồi của từng endpoint.</translation>
    </message>
    <message>
        <source>Loading dead letter %1…</source>
        <translation>Đang tải thư chết %1…</translation>
    </message>
    <message>
        <source>Could not load dead letter %1: %2</source>
        <translation>Không tải được thư chết %1: %2</translation>
    </message>
    <message>
        <source>Replaying dead letter %1…</source>
        <translation>Đang gửi lại thư chết %1…</translation>
    </message>
    <message>
        <source>Dead letter %1 replayed: event %2 published again (sequence %3).</source>
        <translation>Đã gửi lại thư chết %1: sự kiện %2 được phát hành lại (số thứ tự %3).</translation>
    </message>
    <message>
        <source>Dead letter %1 is gone already (replayed or deleted elsewhere).</source>
        <translation>Thư chết %1 không còn nữa (đã được gửi lại hoặc xóa ở nơi khác).</translation>
    </message>
    <message>
        <source>Replay of dead letter %1 failed: %2</source>
        <translation>Gửi lại thư chết %1 thất bại: %2</translation>
    </message>
    <message>
        <source>Delete dead letter</source>
        <translation>Xóa thư chết</translation>
    </message>
    <message>
        <source>Delete dead letter %1?</source>
        <translation>Xóa thư chết %1?</translation>
    </message>
    <message>
        <source>Event %1 for %2 is dropped for good: it cannot be replayed afterwards.</source>
        <translation>Sự kiện %1 của %2 sẽ bị xóa vĩnh viễn: không thể gửi lại sau đó.</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Xóa</translation>
    </message>
    <message>
        <source>Deleting dead letter %1…</source>
        <translation>Đang xóa thư chết %1…</translation>
    </message>
    <message>
        <source>Dead letter %1 deleted.</source>
        <translation>Đã xóa thư chết %1.</translation>
    </message>
    <message>
        <source>Deleting dead letter %1 failed: %2</source>
        <translation>Xóa thư chết %1 thất bại: %2</translation>
    </message>
    <message>
        <source>%1 did not answer (%2)</source>
        <translation>%1 không phản hồi (%2)</translation>
    </message>
    <message>
        <source>%1 wants its API token (401: %2); give it to the console for this node</source>
        <translation>%1 yêu cầu API token (401: %2); hãy nhập token của node này vào bảng điều khiển</translation>
    </message>
    <message>
        <source>%1 refused the call (403: %2); the console needs this node&apos;s API token</source>
        <translation>%1 từ chối yêu cầu (403: %2); bảng điều khiển cần API token của node này</translation>
    </message>
    <message>
        <source>not found (404: %1)</source>
        <translation>không tìm thấy (404: %1)</translation>
    </message>
    <message>
        <source>the node cannot do it now (503: %1)</source>
        <translation>node hiện không thể thực hiện (503: %1)</translation>
    </message>
    <message>
        <source>the node answered HTTP %1 (%2)</source>
        <translation>node trả về HTTP %1 (%2)</translation>
    </message>
    <message>
        <source>Dead letter %1 is gone: the earlier call, whose answer was lost, went through.</source>
        <translation>Thư chết %1 không còn nữa: lệnh gọi trước, bị mất câu trả lời, đã thực hiện xong.</translation>
    </message>
    <message>
        <source>If the call reached the node, it was done all the same: the list is read again.</source>
        <translation>Nếu lệnh gọi đã đến được nút thì nó vẫn được thực hiện: danh sách được đọc lại.</translation>
    </message>
</context>
<context>
    <name>Switchboard::LocalNodeSource</name>
    <message>
        <source>this node (%1)</source>
        <translation>node này (%1)</translation>
    </message>
</context>
<context>
    <name>Switchboard::LogModel</name>
    <message>
        <source>Alert</source>
        <translation>Báo động</translation>
    </message>
    <message>
        <source>Recovered</source>
        <translation>Đã phục hồi</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Lỗi</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Cảnh báo</translation>
    </message>
    <message>
        <source>console</source>
        <translation>bảng điều khiển</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Mức</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Nguồn</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Nội dung</translation>
    </message>
</context>
<context>
    <name>Switchboard::LogPanel</name>
    <message>
        <source>Filter: text in any column</source>
        <translation>Lọc: văn bản ở bất kỳ cột nào</translation>
    </message>
    <message>
        <source>Recovered</source>
        <translation>Đã phục hồi</translation>
    </message>
    <message>
        <source>Newest first: the node&apos;s recent warnings and errors, and the console&apos;s alerts about it.</source>
        <translation>Mới nhất trước: các cảnh báo và lỗi gần đây của node, cùng các báo động của bảng điều khiển về node.</translation>
    </message>
    <message>
        <source>Rows: %1</source>
        <translation>Số dòng: %1</translation>
    </message>
    <message>
        <source>Rows: %1 of %2</source>
        <translation>Số dòng: %1 trên %2</translation>
    </message>
</context>
<context>
    <name>Switchboard::LongestWaitingModel</name>
    <message>
        <source>unknown</source>
        <translation>không rõ</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>chưa có</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1, waiting for %2</source>
        <translation>%1, đã chờ %2</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Hội thoại</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Nhân viên</translation>
    </message>
    <message>
        <source>Waiting since</source>
        <translation>Chờ từ</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Mức</translation>
    </message>
    <message>
        <source>Next level</source>
        <translation>Mức tiếp theo</translation>
    </message>
    <message>
        <source>Due at</source>
        <translation>Đến hạn lúc</translation>
    </message>
    <message>
        <source>The agent&apos;s last message, which the customer has not answered</source>
        <translation>Tin nhắn cuối của nhân viên mà khách hàng chưa trả lời</translation>
    </message>
    <message>
        <source>The last level notified for this wait</source>
        <translation>Mức đã thông báo gần nhất cho lần chờ này</translation>
    </message>
    <message>
        <source>The level notified next</source>
        <translation>Mức sẽ được thông báo tiếp theo</translation>
    </message>
    <message>
        <source>When the next level is due: waiting since + level × interval</source>
        <translation>Thời điểm mức tiếp theo đến hạn: thời điểm bắt đầu chờ + mức × khoảng thời gian</translation>
    </message>
</context>
<context>
    <name>Switchboard::MainWindow</name>
    <message>
        <source>Switchboard</source>
        <translation>Switchboard</translation>
    </message>
    <message>
        <source>Nodes</source>
        <translation>Danh sách node</translation>
    </message>
    <message>
        <source>Add node…</source>
        <translation>Thêm node…</translation>
    </message>
    <message>
        <source>Watch a headless node elsewhere, by its URL</source>
        <translation>Theo dõi một node headless ở máy khác qua URL của nó</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Gỡ bỏ</translation>
    </message>
    <message>
        <source>Stop watching the selected remote node</source>
        <translation>Ngừng theo dõi node từ xa đang chọn</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Tệp</translation>
    </message>
    <message>
        <source>&amp;Add node…</source>
        <translation>&amp;Thêm node…</translation>
    </message>
    <message>
        <source>&amp;Remove node</source>
        <translation>&amp;Gỡ bỏ node</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Cài đặt…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>T&amp;hoát</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Xem</translation>
    </message>
    <message>
        <source>&amp;Log of the selected node</source>
        <translation>&amp;Nhật ký của node đang chọn</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Trợ &amp;giúp</translation>
    </message>
    <message>
        <source>&amp;About Switchboard</source>
        <translation>&amp;Giới thiệu Switchboard</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Hiện</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Thoát</translation>
    </message>
    <message>
        <source>Remove node</source>
        <translation>Gỡ bỏ node</translation>
    </message>
    <message>
        <source>Stop watching %1? Its engines keep running; you can add it again later.</source>
        <translation>Ngừng theo dõi %1? Các bộ xử lý của node vẫn tiếp tục chạy; bạn có thể thêm lại sau.</translation>
    </message>
    <message>
        <source>The new language applies when Switchboard starts again.</source>
        <translation>Ngôn ngữ mới sẽ được áp dụng khi Switchboard khởi động lại.</translation>
    </message>
    <message>
        <source>About Switchboard</source>
        <translation>Giới thiệu Switchboard</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Switchboard %1&lt;/h3&gt;&lt;p&gt;The contact centre&apos;s event engines (Redis stream sync, event ingress, polling, timeouts) with their HTTP API and this operator console.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Switchboard %1&lt;/h3&gt;&lt;p&gt;Các bộ xử lý sự kiện của tổng đài (đồng bộ Redis stream, tiếp nhận sự kiện, thăm dò, timeout) cùng HTTP API của chúng và bảng điều khiển vận hành này.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Stopping the engines: finishing the work in flight…</source>
        <translation>Đang dừng các bộ xử lý: hoàn tất công việc đang dở…</translation>
    </message>
    <message>
        <source>Switchboard: stopping</source>
        <translation>Switchboard: đang dừng</translation>
    </message>
    <message>
        <source>Close Switchboard</source>
        <translation>Đóng Switchboard</translation>
    </message>
    <message>
        <source>Keep the engines running in the tray, or quit?</source>
        <translation>Giữ các bộ xử lý chạy trong khay hệ thống, hay thoát?</translation>
    </message>
    <message>
        <source>The engines of this node run in this process. Quitting stops them gracefully: the work in flight is finished first.</source>
        <translation>Các bộ xử lý của node này chạy trong tiến trình này. Thoát sẽ dừng chúng an toàn: công việc đang dở được hoàn tất trước.</translation>
    </message>
    <message>
        <source>Keep running in tray</source>
        <translation>Tiếp tục chạy trong khay</translation>
    </message>
    <message>
        <source>Switchboard keeps running</source>
        <translation>Switchboard vẫn đang chạy</translation>
    </message>
    <message>
        <source>The engines keep running. Open the console from the tray icon.</source>
        <translation>Các bộ xử lý vẫn đang chạy. Mở bảng điều khiển từ biểu tượng trên khay hệ thống.</translation>
    </message>
    <message>
        <source>Problems on the nodes</source>
        <translation>Sự cố trên các node</translation>
    </message>
    <message>
        <source>Nodes: %1 · all engines healthy</source>
        <translation>Node: %1 · mọi bộ xử lý bình thường</translation>
    </message>
    <message>
        <source>Switchboard: %1</source>
        <translation>Switchboard: %1</translation>
    </message>
    <message>
        <source>unhealthy engines: %1</source>
        <translation>bộ xử lý có sự cố: %1</translation>
    </message>
    <message>
        <source>not answering: %1</source>
        <translation>không phản hồi: %1</translation>
    </message>
    <message>
        <source>API token refused: %1</source>
        <translation>API token bị từ chối: %1</translation>
    </message>
    <message>
        <source>Nodes: %1</source>
        <translation>Node: %1</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Sửa…</translation>
    </message>
    <message>
        <source>Change the selected remote node&apos;s URL or API token</source>
        <translation>Đổi URL hoặc API token của node từ xa đang chọn</translation>
    </message>
    <message>
        <source>&amp;Edit node…</source>
        <translation>&amp;Sửa node…</translation>
    </message>
    <message>
        <source>Settings not saved</source>
        <translation>Chưa lưu được cài đặt</translation>
    </message>
    <message>
        <source>The console cannot write its settings to %1.</source>
        <translation>Console không ghi được cài đặt vào %1.</translation>
    </message>
    <message>
        <source>The change holds until the console quits; at the next start it is lost. Check that the file and its folder belong to you and that the disk is not full.</source>
        <translation>Thay đổi chỉ có hiệu lực đến khi thoát console; lần khởi động sau nó sẽ mất. Hãy kiểm tra tệp và thư mục chứa nó thuộc về bạn và ổ đĩa chưa đầy.</translation>
    </message>
    <message>
        <source>This computer&apos;s engines cannot start: %1</source>
        <translation>Không thể khởi động các bộ xử lý của máy này: %1</translation>
    </message>
    <message>
        <source>The console shows the nodes added to it. A Switchboard service running on this computer is watched with Add node: http://127.0.0.1 and its port. Run switchboard from a terminal to read the log.</source>
        <translation>Bảng điều khiển hiển thị các node đã được thêm vào. Một dịch vụ Switchboard chạy trên máy này được theo dõi bằng Thêm node: http://127.0.0.1 và cổng của nó. Chạy switchboard từ terminal để đọc log.</translation>
    </message>
    <message>
        <source>This computer&apos;s engines are not running: %1</source>
        <translation>Các bộ xử lý của máy này không chạy: %1</translation>
    </message>
    <message>
        <source>waiting for a first status: %1</source>
        <translation>đang chờ trạng thái đầu tiên: %1</translation>
    </message>
    <message>
        <source>engines starting: %1</source>
        <translation>bộ xử lý đang khởi động: %1</translation>
    </message>
    <message>
        <source>running no engine: %1</source>
        <translation>không chạy bộ xử lý nào: %1</translation>
    </message>
</context>
<context>
    <name>Switchboard::NodeView</name>
    <message>
        <source>Log</source>
        <translation>Nhật ký</translation>
    </message>
    <message>
        <source>version %1</source>
        <translation>phiên bản %1</translation>
    </message>
    <message>
        <source>host %1, pid %2</source>
        <translation>máy %1, pid %2</translation>
    </message>
    <message>
        <source>started %1</source>
        <translation>khởi động lúc %1</translation>
    </message>
    <message>
        <source>connecting…</source>
        <translation>đang kết nối…</translation>
    </message>
    <message>
        <source>healthy</source>
        <translation>bình thường</translation>
    </message>
    <message>
        <source>not running</source>
        <translation>không chạy</translation>
    </message>
    <message>
        <source>Connect now</source>
        <translation>Kết nối ngay</translation>
    </message>
    <message>
        <source>Ask the node again now (F5). The console asks on its own too, less often the longer the node is lost, 18 s apart at the most.</source>
        <translation>Hỏi lại nút ngay bây giờ (F5). Bảng điều khiển cũng tự hỏi lại, càng thưa hơn khi nút mất liên lạc càng lâu, cách nhau tối đa 18 giây.</translation>
    </message>
    <message>
        <source>asked again at %1</source>
        <translation>đã hỏi lại lúc %1</translation>
    </message>
    <message>
        <source>starting: %1</source>
        <translation>đang khởi động: %1</translation>
    </message>
</context>
<context>
    <name>Switchboard::NodesModel</name>
    <message>
        <source>waiting for the node&apos;s first status</source>
        <translation>đang chờ trạng thái đầu tiên của node</translation>
    </message>
    <message>
        <source>the node gives no reason</source>
        <translation>node không cho biết lý do</translation>
    </message>
    <message>
        <source>unreachable since %1</source>
        <translation>không truy cập được từ %1</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Đồng bộ</translation>
    </message>
    <message>
        <source>Ingress</source>
        <translation>Tiếp nhận</translation>
    </message>
    <message>
        <source>Timeouts</source>
        <translation>Timeout</translation>
    </message>
    <message>
        <source>Polling</source>
        <translation>Thăm dò</translation>
    </message>
    <message>
        <source>%1 unhealthy on %2</source>
        <translation>%1 có sự cố trên %2</translation>
    </message>
    <message>
        <source>%1 healthy again on %2</source>
        <translation>%1 bình thường trở lại trên %2</translation>
    </message>
    <message>
        <source>%1 does not answer</source>
        <translation>%1 không phản hồi</translation>
    </message>
    <message>
        <source>%1 answers again</source>
        <translation>%1 đã phản hồi trở lại</translation>
    </message>
    <message>
        <source>connecting…</source>
        <translation>đang kết nối…</translation>
    </message>
    <message>
        <source>unhealthy: %1</source>
        <translation>có sự cố: %1</translation>
    </message>
    <message>
        <source>all engines healthy</source>
        <translation>mọi bộ xử lý bình thường</translation>
    </message>
    <message>
        <source>no engine running</source>
        <translation>không có bộ xử lý nào chạy</translation>
    </message>
    <message>
        <source>%1: healthy</source>
        <translation>%1: bình thường</translation>
    </message>
    <message>
        <source>%1: not running</source>
        <translation>%1: không chạy</translation>
    </message>
    <message>
        <source>%1: unknown</source>
        <translation>%1: không rõ</translation>
    </message>
    <message>
        <source>%1 does not answer (%3) since %2.</source>
        <translation>%1 không phản hồi từ %2 (%3).</translation>
    </message>
    <message>
        <source>%1 has not answered since %2 (%3). The figures below are its last status.</source>
        <translation>%1 không phản hồi từ %2 (%3). Số liệu bên dưới là trạng thái cuối cùng nhận được.</translation>
    </message>
    <message>
        <source>API token refused since %1</source>
        <translation>API token bị từ chối từ %1</translation>
    </message>
    <message>
        <source>%1 refuses the console&apos;s API token (%3) since %2.</source>
        <translation>%1 từ chối API token của bảng điều khiển từ %2 (%3).</translation>
    </message>
    <message>
        <source>%1 has refused the console&apos;s API token since %2 (%3). The figures below are its last status.</source>
        <translation>%1 từ chối API token của bảng điều khiển từ %2 (%3). Số liệu bên dưới là trạng thái cuối cùng nhận được.</translation>
    </message>
    <message>
        <source>%1 refuses the console&apos;s API token</source>
        <translation>%1 từ chối API token của bảng điều khiển</translation>
    </message>
    <message>
        <source>%1 accepts the console&apos;s API token again</source>
        <translation>%1 đã chấp nhận lại API token của bảng điều khiển</translation>
    </message>
    <message>
        <source>Starting: %1. Shown as failed if it is not running at %2.</source>
        <translation>Đang khởi động: %1. Sẽ hiện là lỗi nếu chưa chạy lúc %2.</translation>
    </message>
    <message>
        <source>starting: %1</source>
        <translation>đang khởi động: %1</translation>
    </message>
    <message>
        <source>%1: starting (%2)</source>
        <translation>%1: đang khởi động (%2)</translation>
    </message>
</context>
<context>
    <name>Switchboard::PollingPanel</name>
    <message>
        <source>Held long polls and publishes per second</source>
        <translation>Long poll đang giữ và số lần phát hành mỗi giây</translation>
    </message>
    <message>
        <source>count</source>
        <translation>số lượng</translation>
    </message>
    <message>
        <source>Wake latency, publish to answer (p50 solid, p99 dashed)</source>
        <translation>Độ trễ đánh thức, từ phát hành đến phản hồi (p50 nét liền, p99 nét đứt)</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Bộ xử lý</translation>
    </message>
    <message>
        <source>Redis:</source>
        <translation>Redis:</translation>
    </message>
    <message>
        <source>Held polls:</source>
        <translation>Poll đang giữ:</translation>
    </message>
    <message>
        <source>Publishes/s:</source>
        <translation>Phát hành/s:</translation>
    </message>
    <message>
        <source>Wake-ups:</source>
        <translation>Lần đánh thức:</translation>
    </message>
    <message>
        <source>Reads:</source>
        <translation>Lượt đọc:</translation>
    </message>
    <message>
        <source>Refused tokens:</source>
        <translation>Token bị từ chối:</translation>
    </message>
    <message>
        <source>Clients gone:</source>
        <translation>Client đã rời:</translation>
    </message>
    <message>
        <source>History lost:</source>
        <translation>Mất lịch sử:</translation>
    </message>
    <message>
        <source>Waiting for the node&apos;s first status…</source>
        <translation>Đang chờ trạng thái đầu tiên của node…</translation>
    </message>
    <message>
        <source>Polling engine not running on this node.</source>
        <translation>Bộ xử lý thăm dò không chạy trên node này.</translation>
    </message>
    <message>
        <source>Polling unhealthy: %1</source>
        <translation>Thăm dò có sự cố: %1</translation>
    </message>
    <message>
        <source>held polls</source>
        <translation>poll đang giữ</translation>
    </message>
    <message>
        <source>publishes/s</source>
        <translation>phát hành/s</translation>
    </message>
    <message>
        <source>wake latency</source>
        <translation>độ trễ đánh thức</translation>
    </message>
    <message>
        <source>%1, connected</source>
        <translation>%1, đã kết nối</translation>
    </message>
    <message>
        <source>%1, not connected</source>
        <translation>%1, mất kết nối</translation>
    </message>
    <message>
        <source>%1 (p50 %2 ms, p99 %3 ms)</source>
        <translation>%1 (p50 %2 ms, p99 %3 ms)</translation>
    </message>
    <message>
        <source>%1 in flight, %2 queued</source>
        <translation>%1 đang chạy, %2 đang chờ</translation>
    </message>
    <message>
        <source>%1 (none in the last minute)</source>
        <translation>%1 (không có trong phút vừa qua)</translation>
    </message>
</context>
<context>
    <name>Switchboard::RemoteNodeSource</name>
    <message>
        <source>no status for %1 s</source>
        <translation>không nhận được trạng thái trong %1 s</translation>
    </message>
    <message>
        <source>connection closed</source>
        <translation>kết nối đã đóng</translation>
    </message>
    <message>
        <source>it sent a status of over %1 MiB, more than the console reads</source>
        <translation>đã gửi trạng thái lớn hơn %1 MiB, quá mức console đọc</translation>
    </message>
    <message>
        <source>it sends something other than a status: &quot;%1&quot;</source>
        <translation>gửi dữ liệu không phải trạng thái: &quot;%1&quot;</translation>
    </message>
    <message>
        <source>it answers /api/v1/status, but its WebSocket stream was refused (%1): a proxy in front of it that does not pass WebSocket upgrades?</source>
        <translation>trả lời /api/v1/status nhưng luồng WebSocket bị từ chối (%1): có một proxy phía trước không chuyển tiếp yêu cầu nâng cấp WebSocket?</translation>
    </message>
</context>
<context>
    <name>Switchboard::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Cài đặt</translation>
    </message>
    <message>
        <source>A restart of Switchboard applies the language.</source>
        <translation>Ngôn ngữ được áp dụng sau khi khởi động lại Switchboard.</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Ngôn ngữ:</translation>
    </message>
</context>
<context>
    <name>Switchboard::SyncPanel</name>
    <message>
        <source>%1, connected</source>
        <translation>%1, đã kết nối</translation>
    </message>
    <message>
        <source>%1, not connected</source>
        <translation>%1, mất kết nối</translation>
    </message>
    <message>
        <source>Lag per stream (entries waiting), up to the last 10 minutes</source>
        <translation>Tồn đọng theo stream (số mục đang chờ), tối đa 10 phút gần nhất</translation>
    </message>
    <message>
        <source>entries</source>
        <translation>mục</translation>
    </message>
    <message>
        <source>End-to-end latency per stream (p50 solid, p99 dashed)</source>
        <translation>Độ trễ đầu cuối theo stream (p50 nét liền, p99 nét đứt)</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>Streams</source>
        <translation>Stream</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Bộ xử lý</translation>
    </message>
    <message>
        <source>Local Redis</source>
        <translation>Redis cục bộ</translation>
    </message>
    <message>
        <source>Where the streams are read (XREADGROUP)</source>
        <translation>Nơi đọc các stream (XREADGROUP)</translation>
    </message>
    <message>
        <source>Remote Redis</source>
        <translation>Redis từ xa</translation>
    </message>
    <message>
        <source>Where the entries are written (XADD)</source>
        <translation>Nơi ghi các mục (XADD)</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Nhóm</translation>
    </message>
    <message>
        <source>The consumer group on the local streams</source>
        <translation>Nhóm consumer trên các stream cục bộ</translation>
    </message>
    <message>
        <source>Consumer</source>
        <translation>Consumer</translation>
    </message>
    <message>
        <source>This node&apos;s consumer in the group</source>
        <translation>Consumer của node này trong nhóm</translation>
    </message>
    <message>
        <source>Buffered</source>
        <translation>Trong bộ đệm</translation>
    </message>
    <message>
        <source>Entries read and not yet acknowledged</source>
        <translation>Các mục đã đọc nhưng chưa xác nhận</translation>
    </message>
    <message>
        <source>Back-pressure</source>
        <translation>Back-pressure</translation>
    </message>
    <message>
        <source>Reading pauses while the buffer is full: the remote is slower than the local streams</source>
        <translation>Tạm dừng đọc khi bộ đệm đầy: Redis từ xa chậm hơn các stream cục bộ</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>Lỗi</translation>
    </message>
    <message>
        <source>Read and write errors since the node started</source>
        <translation>Lỗi đọc và ghi kể từ khi node khởi động</translation>
    </message>
    <message>
        <source>Last sync</source>
        <translation>Đồng bộ gần nhất</translation>
    </message>
    <message>
        <source>The last entry confirmed on the remote</source>
        <translation>Mục cuối cùng đã được xác nhận trên Redis từ xa</translation>
    </message>
    <message>
        <source>Waiting for the node&apos;s first status…</source>
        <translation>Đang chờ trạng thái đầu tiên của node…</translation>
    </message>
    <message>
        <source>Sync engine not running on this node.</source>
        <translation>Bộ xử lý đồng bộ không chạy trên node này.</translation>
    </message>
    <message>
        <source>Sync is unhealthy: %1</source>
        <translation>Đồng bộ có sự cố: %1</translation>
    </message>
    <message numerus="yes">
        <source>%Ln entries (%1)</source>
        <translation>
            <numerusform>%Ln mục (%1)</numerusform>
        </translation>
    </message>
    <message>
        <source>yes: reading paused</source>
        <translation>có: đang tạm dừng đọc</translation>
    </message>
    <message>
        <source>no</source>
        <translation>không</translation>
    </message>
    <message>
        <source>never</source>
        <translation>chưa có</translation>
    </message>
</context>
<context>
    <name>Switchboard::SyncStreamsModel</name>
    <message>
        <source>unknown</source>
        <translation>không rõ</translation>
    </message>
    <message>
        <source>never</source>
        <translation>chưa có</translation>
    </message>
    <message>
        <source>Stream</source>
        <translation>Stream</translation>
    </message>
    <message>
        <source>Lag</source>
        <translation>Tồn đọng</translation>
    </message>
    <message>
        <source>p50 ms</source>
        <translation>p50 ms</translation>
    </message>
    <message>
        <source>p99 ms</source>
        <translation>p99 ms</translation>
    </message>
    <message>
        <source>Rate/s</source>
        <translation>Tốc độ/s</translation>
    </message>
    <message>
        <source>Replicated</source>
        <translation>Đã sao chép</translation>
    </message>
    <message>
        <source>Read errors</source>
        <translation>Lỗi đọc</translation>
    </message>
    <message>
        <source>Write errors</source>
        <translation>Lỗi ghi</translation>
    </message>
    <message>
        <source>Last sync</source>
        <translation>Đồng bộ gần nhất</translation>
    </message>
    <message>
        <source>Consumers</source>
        <translation>Consumer</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Đang chờ</translation>
    </message>
    <message>
        <source>Entries in the local stream not yet replicated to the remote</source>
        <translation>Số mục trong stream cục bộ chưa sao chép sang Redis từ xa</translation>
    </message>
    <message>
        <source>End-to-end latency, from the event&apos;s own time to the remote write (median and 99th percentile)</source>
        <translation>Độ trễ đầu cuối, từ thời điểm của chính sự kiện đến khi ghi vào Redis từ xa (trung vị và phân vị thứ 99)</translation>
    </message>
    <message>
        <source>Entries replicated per second, last second</source>
        <translation>Số mục sao chép mỗi giây, trong giây vừa qua</translation>
    </message>
    <message>
        <source>Entries this node confirmed on the remote since it started</source>
        <translation>Số mục node này đã xác nhận trên Redis từ xa kể từ khi khởi động</translation>
    </message>
    <message>
        <source>Consumers in the group on the local stream</source>
        <translation>Số consumer trong nhóm trên stream cục bộ</translation>
    </message>
    <message>
        <source>Entries delivered to some consumer of the group and not yet acknowledged</source>
        <translation>Các mục đã giao cho một consumer trong nhóm nhưng chưa được xác nhận</translation>
    </message>
    <message>
        <source>Lost unread</source>
        <translation>Mất khi chưa đọc</translation>
    </message>
    <message>
        <source>Entries trimmed from the local stream (a producer&apos;s MAXLEN or MINID) before the group read them: they are not on the remote. Unknown before Redis 7</source>
        <translation>Các mục bị cắt khỏi stream cục bộ (MAXLEN hoặc MINID của bên ghi) trước khi nhóm đọc: chúng không có trên máy từ xa. Không rõ với Redis trước bản 7</translation>
    </message>
</context>
<context>
    <name>Switchboard::TimeoutsPanel</name>
    <message>
        <source>%1 s</source>
        <translation>%1 giây</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 phút %2 giây</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 giờ %2 phút</translation>
    </message>
    <message>
        <source>in %1</source>
        <translation>còn %1</translation>
    </message>
    <message>
        <source>overdue %1</source>
        <translation>quá hạn %1</translation>
    </message>
    <message>
        <source>level 1: %1, level 2: %2, level 3: %3</source>
        <translation>mức 1: %1, mức 2: %2, mức 3: %3</translation>
    </message>
    <message>
        <source>Conversations waiting, and levels overdue</source>
        <translation>Hội thoại đang chờ và các mức quá hạn</translation>
    </message>
    <message>
        <source>count</source>
        <translation>số lượng</translation>
    </message>
    <message>
        <source>Notifications per minute, per level (cluster)</source>
        <translation>Thông báo mỗi phút, theo mức (toàn cụm)</translation>
    </message>
    <message>
        <source>per minute</source>
        <translation>mỗi phút</translation>
    </message>
    <message>
        <source>Longest waiting</source>
        <translation>Chờ lâu nhất</translation>
    </message>
    <message>
        <source>Leader</source>
        <translation>Leader</translation>
    </message>
    <message>
        <source>Who raises the notifications: the node holding the lease in Redis. The epoch grows with every new leadership.</source>
        <translation>Node phát ra thông báo: node đang giữ quyền (lease) trong Redis. Nhiệm kỳ tăng lên mỗi khi có leader mới.</translation>
    </message>
    <message>
        <source>Changes seen by this console, newest first:</source>
        <translation>Các thay đổi bảng điều khiển này ghi nhận, mới nhất trước:</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>chưa có</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Bộ xử lý</translation>
    </message>
    <message>
        <source>Redis</source>
        <translation>Redis</translation>
    </message>
    <message>
        <source>Where the waiting conversations and the election live</source>
        <translation>Nơi lưu các hội thoại đang chờ và cuộc bầu leader</translation>
    </message>
    <message>
        <source>This node</source>
        <translation>Node này</translation>
    </message>
    <message>
        <source>This node&apos;s name in the election (POD_ID) and its part in it</source>
        <translation>Tên của node này trong cuộc bầu leader (POD_ID) và vai trò của nó</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Đang chờ</translation>
    </message>
    <message>
        <source>Conversations waiting for a customer&apos;s reply</source>
        <translation>Hội thoại đang chờ khách hàng trả lời</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Quá hạn</translation>
    </message>
    <message>
        <source>Levels due now and not yet notified: grows while no node leads, or while the leader&apos;s checks fall behind</source>
        <translation>Các mức đã đến hạn nhưng chưa được thông báo: tăng lên khi không node nào làm leader, hoặc khi các lần kiểm tra của leader bị chậm</translation>
    </message>
    <message>
        <source>Timing</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>Level n is due n intervals after the agent&apos;s message; the leader checks for due levels this often</source>
        <translation>Mức n đến hạn sau n khoảng thời gian kể từ tin nhắn của nhân viên; leader kiểm tra các mức đến hạn với tần suất này</translation>
    </message>
    <message>
        <source>Checks</source>
        <translation>Lần kiểm tra</translation>
    </message>
    <message>
        <source>How long the leader&apos;s last check took, its 99th percentile, and how many checks this node ran</source>
        <translation>Thời gian của lần kiểm tra gần nhất của leader, phân vị 99 của nó và số lần kiểm tra node này đã chạy</translation>
    </message>
    <message>
        <source>Notified</source>
        <translation>Đã thông báo</translation>
    </message>
    <message>
        <source>Notifications raised since the data began, cluster-wide</source>
        <translation>Số thông báo đã phát ra từ khi có dữ liệu, trên toàn cụm</translation>
    </message>
    <message>
        <source>By this node</source>
        <translation>Bởi node này</translation>
    </message>
    <message>
        <source>Notifications this node raised while it led</source>
        <translation>Số thông báo node này đã phát ra khi làm leader</translation>
    </message>
    <message>
        <source>Leader changes</source>
        <translation>Lần đổi leader</translation>
    </message>
    <message>
        <source>Changes of leader this node has seen since it started</source>
        <translation>Số lần đổi leader mà node này ghi nhận kể từ khi khởi động</translation>
    </message>
    <message>
        <source>Webhook</source>
        <translation>Webhook</translation>
    </message>
    <message>
        <source>Notifications posted to NOTIFICATION_WEBHOOK_URL by this node</source>
        <translation>Thông báo node này đã gửi đến NOTIFICATION_WEBHOOK_URL</translation>
    </message>
    <message>
        <source>Last webhook error</source>
        <translation>Lỗi webhook gần nhất</translation>
    </message>
    <message>
        <source>The last failed delivery&apos;s reason</source>
        <translation>Lý do của lần gửi thất bại gần nhất</translation>
    </message>
    <message>
        <source>API</source>
        <translation>API</translation>
    </message>
    <message>
        <source>Requests to /conversations/{id}/… this node answered</source>
        <translation>Các yêu cầu tới /conversations/{id}/… mà node này đã trả lời</translation>
    </message>
    <message>
        <source>Notifications due in the next 30 minutes</source>
        <translation>Thông báo đến hạn trong 30 phút tới</translation>
    </message>
    <message>
        <source>due</source>
        <translation>đến hạn</translation>
    </message>
    <message>
        <source>minutes from now</source>
        <translation>số phút kể từ bây giờ</translation>
    </message>
    <message>
        <source>notifications</source>
        <translation>thông báo</translation>
    </message>
    <message>
        <source>Minute %1 from now: %2 due</source>
        <translation>Phút thứ %1 kể từ bây giờ: %2 đến hạn</translation>
    </message>
    <message>
        <source>Waiting for the node&apos;s first status…</source>
        <translation>Đang chờ trạng thái đầu tiên của node…</translation>
    </message>
    <message>
        <source>Timeouts engine not running on this node.</source>
        <translation>Bộ xử lý timeout không chạy trên node này.</translation>
    </message>
    <message>
        <source>Timeouts is unhealthy: %1</source>
        <translation>Timeout có sự cố: %1</translation>
    </message>
    <message>
        <source>%1 (epoch %2)</source>
        <translation>%1 (nhiệm kỳ %2)</translation>
    </message>
    <message>
        <source>Leader lost: %1 at %2, no node leads</source>
        <translation>Mất leader: %1 lúc %2, không node nào làm leader</translation>
    </message>
    <message>
        <source>No timeouts leader on %1</source>
        <translation>Không có leader timeout trên %1</translation>
    </message>
    <message>
        <source>%1 no longer leads; no node raises notifications</source>
        <translation>%1 không còn làm leader; không node nào phát thông báo</translation>
    </message>
    <message>
        <source>Leader elected: %1 at %2</source>
        <translation>Đã bầu leader: %1 lúc %2</translation>
    </message>
    <message>
        <source>Timeouts leader elected on %1</source>
        <translation>Đã bầu leader timeout trên %1</translation>
    </message>
    <message>
        <source>Leader changed: %1 → %2 at %3</source>
        <translation>Đổi leader: %1 → %2 lúc %3</translation>
    </message>
    <message>
        <source>Timeouts leader changed on %1</source>
        <translation>Đổi leader timeout trên %1</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>đang chờ</translation>
    </message>
    <message>
        <source>levels overdue</source>
        <translation>mức quá hạn</translation>
    </message>
    <message>
        <source>level %1</source>
        <translation>mức %1</translation>
    </message>
    <message>
        <source>Leader unknown: Redis %1 does not answer</source>
        <translation>Không rõ leader: Redis %1 không phản hồi</translation>
    </message>
    <message>
        <source>No leader since %1: no node raises notifications</source>
        <translation>Không có leader từ %1: không node nào phát thông báo</translation>
    </message>
    <message>
        <source>%1 leads, epoch %2, since %3 (for %4)</source>
        <translation>%1 làm leader, nhiệm kỳ %2, từ %3 (đã %4)</translation>
    </message>
    <message>
        <source>this node</source>
        <translation>node này</translation>
    </message>
    <message>
        <source>%1, connected</source>
        <translation>%1, đã kết nối</translation>
    </message>
    <message>
        <source>%1, not connected</source>
        <translation>%1, mất kết nối</translation>
    </message>
    <message>
        <source>%1, leader (epoch %2)</source>
        <translation>%1, leader (nhiệm kỳ %2)</translation>
    </message>
    <message>
        <source>%1, standby</source>
        <translation>%1, dự phòng</translation>
    </message>
    <message>
        <source>a level every %1, a check every %2 ms</source>
        <translation>mỗi mức cách nhau %1, kiểm tra mỗi %2 ms</translation>
    </message>
    <message>
        <source>NOTIFICATION_WEBHOOK_URL is not set on this node</source>
        <translation>NOTIFICATION_WEBHOOK_URL chưa được đặt trên node này</translation>
    </message>
    <message>
        <source>none</source>
        <translation>không có</translation>
    </message>
    <message>
        <source>not configured on this node</source>
        <translation>chưa cấu hình trên node này</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>không rõ</translation>
    </message>
    <message>
        <source>last %1 ms, p99 %2 ms (checks: %3)</source>
        <translation>gần nhất %1 ms, p99 %2 ms (số lần kiểm tra: %3)</translation>
    </message>
    <message>
        <source>failed attempts %1</source>
        <translation>lần gửi thất bại %1</translation>
    </message>
    <message>
        <source>delivered %1</source>
        <translation>đã gửi %1</translation>
    </message>
    <message>
        <source>retrying %1, pending %2</source>
        <translation>đang thử lại %1, đang chờ %2</translation>
    </message>
    <message>
        <source>agent messages %1, customer responses %2, bad requests %3</source>
        <translation>tin nhắn của nhân viên %1, phản hồi của khách hàng %2, yêu cầu không hợp lệ %3</translation>
    </message>
    <message>
        <source>set aside %1 (refused, in timeout:refused_notifications)</source>
        <translation>để riêng %1 (bị từ chối, trong timeout:refused_notifications)</translation>
    </message>
    <message>
        <source>Data lost</source>
        <translation>Mất dữ liệu</translation>
    </message>
    <message>
        <source>Times this node found that Redis had lost the timeouts&apos; data (timeout:dataset gone): the conversations then waiting are notified no more. The node is unhealthy for 15 minutes after each; this stays until it restarts</source>
        <translation>Số lần nút này phát hiện Redis đã mất dữ liệu timeouts (timeout:dataset biến mất): các cuộc hội thoại đang chờ lúc đó sẽ không được thông báo nữa. Nút không khỏe trong 15 phút sau mỗi lần; con số này giữ nguyên cho đến khi nút khởi động lại</translation>
    </message>
    <message>
        <source>%1, the last at %2</source>
        <translation>%1, lần gần nhất lúc %2</translation>
    </message>
    <message>
        <source>%1 conversations were waiting then</source>
        <translation>%1 cuộc hội thoại đang chờ lúc đó</translation>
    </message>
</context>
</TS>
