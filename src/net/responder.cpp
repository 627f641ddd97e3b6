#include "net/responder.h"

namespace woolly::net {

struct StreamWriter::Closer {
  explicit Closer(std::shared_ptr<detail::Exchange> e) : ex(std::move(e)) {}
  Closer(const Closer&) = delete;
  Closer& operator=(const Closer&) = delete;
  std::shared_ptr<detail::Exchange> ex;
  ~Closer() {
    if (ex) ex->finish();
  }
};

StreamWriter::StreamWriter(std::shared_ptr<detail::Exchange> ex)
    : closer_(std::make_shared<Closer>(ex)), ex_(std::move(ex)) {}

std::string format_sse_event(std::string_view event, std::string_view data, std::string_view id) {
  std::string out;
  out.reserve(data.size() + event.size() + id.size() + 32);
  if (!event.empty()) {
    out += "event: ";
    out += event;
    out += '\n';
  }
  if (!id.empty()) {
    out += "id: ";
    out += id;
    out += '\n';
  }
  // Every line of the payload needs its own data: prefix, or the client splits the event.
  size_t start = 0;
  while (true) {
    size_t nl = data.find('\n', start);
    out += "data: ";
    out += data.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    out += '\n';
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  out += '\n';
  return out;
}

bool StreamWriter::write_event(std::string_view event, std::string_view data,
                               std::string_view id) {
  if (!ex_ || ex_->cancelled()) return false;
  ex_->push(format_sse_event(event, data, id));
  return true;
}

bool StreamWriter::write_raw(std::string bytes) {
  if (!ex_ || ex_->cancelled()) return false;
  ex_->push(std::move(bytes));
  return true;
}

bool StreamWriter::write_comment(std::string_view text) {
  if (!ex_ || ex_->cancelled()) return false;
  std::string line = ": ";
  line += text;
  line += "\n\n";
  ex_->push(std::move(line));
  return true;
}

void StreamWriter::close() {
  if (ex_) ex_->finish();
}

bool StreamWriter::cancelled() const { return !ex_ || ex_->cancelled(); }

void StreamWriter::on_cancel(std::function<void()> fn) {
  if (ex_) ex_->on_cancel(std::move(fn));
}

Responder::~Responder() {
  if (ex_) ex_->deliver(Response::json(500, R"({"error":{"code":"INTERNAL_ERROR","message":"the handler did not answer","type":"server_error"}})"));
}

void Responder::send(Response response) {
  if (!ex_) return;
  auto ex = std::move(ex_);
  ex->deliver(std::move(response));
}

void Responder::send_error(const Error& error) {
  if (!ex_) return;
  auto ex = std::move(ex_);
  ex->deliver_error(error);
}

StreamWriter Responder::start_stream(int status, Headers headers) {
  if (!ex_) return StreamWriter();
  auto ex = std::move(ex_);
  if (!headers.has("Content-Type")) headers.add("Content-Type", "text/event-stream");
  if (!headers.has("Cache-Control")) headers.add("Cache-Control", "no-cache");
  ex->begin_stream(status, std::move(headers));
  return StreamWriter(std::move(ex));
}

bool Responder::cancelled() const { return !ex_ || ex_->cancelled(); }

void Responder::on_cancel(std::function<void()> fn) {
  if (ex_) ex_->on_cancel(std::move(fn));
}

}  // namespace woolly::net
