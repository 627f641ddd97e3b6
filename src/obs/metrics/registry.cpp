#include "obs/metrics/registry.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace woolly::obs {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  assert(std::is_sorted(bounds_.begin(), bounds_.end()));
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) {
  // Few buckets (about 20): a linear scan beats binary search on branch prediction.
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<double> latency_buckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
          0.5,    1.0,   2.5,    5.0,   10.0, 30.0,  60.0, 120.0, 300.0};
}

namespace {

template <typename T>
std::unique_ptr<T> make_child(const std::vector<double>&) {
  return std::make_unique<T>();
}
template <>
std::unique_ptr<Histogram> make_child<Histogram>(const std::vector<double>& bounds) {
  return std::make_unique<Histogram>(bounds);
}

void append_number(std::string& out, double v) {
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  char buf[64];
  // Integers print without a fraction (counters of requests and bytes read better that way).
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    // Shortest form that reads back exactly: 0.1 rather than 0.10000000000000001.
    std::snprintf(buf, sizeof buf, "%.15g", v);
    if (std::strtod(buf, nullptr) != v) std::snprintf(buf, sizeof buf, "%.17g", v);
  }
  out += buf;
}

// Writes `{a="x",b="y"[,extra]}`; nothing when there are no labels at all.
void append_labels(std::string& out, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, std::string_view extra = {}) {
  if (names.empty() && extra.empty()) return;
  out += '{';
  bool first = true;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!first) out += ',';
    first = false;
    out += names[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
  }
  if (!extra.empty()) {
    if (!first) out += ',';
    out += extra;
  }
  out += '}';
}

void append_header(std::string& out, const std::string& name, const std::string& help,
                   std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  for (char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

template <typename T>
void render_simple(std::string& out, const Family<T>& f, std::string_view type) {
  append_header(out, f.name(), f.help(), type);
  f.for_each([&](const std::vector<std::string>& labels, const T& child) {
    out += f.name();
    append_labels(out, f.label_names(), labels);
    out += ' ';
    append_number(out, child.value());
    out += '\n';
  });
}

void render_histogram(std::string& out, const Family<Histogram>& f) {
  append_header(out, f.name(), f.help(), "histogram");
  f.for_each([&](const std::vector<std::string>& labels, const Histogram& h) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= h.bounds().size(); ++i) {
      cumulative += h.bucket_count(i);
      std::string le = "le=\"";
      if (i == h.bounds().size()) {
        le += "+Inf";
      } else {
        append_number(le, h.bounds()[i]);
      }
      le += '"';
      out += f.name();
      out += "_bucket";
      append_labels(out, f.label_names(), labels, le);
      out += ' ';
      append_number(out, static_cast<double>(cumulative));
      out += '\n';
    }
    out += f.name();
    out += "_sum";
    append_labels(out, f.label_names(), labels);
    out += ' ';
    append_number(out, h.sum());
    out += '\n';
    out += f.name();
    out += "_count";
    append_labels(out, f.label_names(), labels);
    out += ' ';
    append_number(out, static_cast<double>(h.count()));
    out += '\n';
  });
}

}  // namespace

template <typename T>
T& Family<T>::with(std::vector<std::string> values) {
  assert(values.size() == label_names_.size());
  std::lock_guard lock(mu_);
  auto it = children_.find(values);
  if (it == children_.end()) {
    it = children_.emplace(std::move(values), make_child<T>(bounds_)).first;
  }
  return *it->second;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Family<Counter>& Registry::counter(std::string name, std::string help,
                                   std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    Entry e{MetricType::kCounter, nullptr, nullptr, nullptr};
    e.counter = std::make_unique<Family<Counter>>(name, std::move(help), std::move(labels));
    it = entries_.emplace(std::move(name), std::move(e)).first;
  }
  assert(it->second.type == MetricType::kCounter);
  return *it->second.counter;
}

Family<Gauge>& Registry::gauge(std::string name, std::string help,
                               std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    Entry e{MetricType::kGauge, nullptr, nullptr, nullptr};
    e.gauge = std::make_unique<Family<Gauge>>(name, std::move(help), std::move(labels));
    it = entries_.emplace(std::move(name), std::move(e)).first;
  }
  assert(it->second.type == MetricType::kGauge);
  return *it->second.gauge;
}

Family<Histogram>& Registry::histogram(std::string name, std::string help,
                                       std::vector<std::string> labels,
                                       std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    Entry e{MetricType::kHistogram, nullptr, nullptr, nullptr};
    e.histogram = std::make_unique<Family<Histogram>>(name, std::move(help), std::move(labels),
                                                      std::move(bounds));
    it = entries_.emplace(std::move(name), std::move(e)).first;
  }
  assert(it->second.type == MetricType::kHistogram);
  return *it->second.histogram;
}

std::string Registry::render() const {
  std::string out;
  out.reserve(4096);
  std::lock_guard lock(mu_);
  for (const auto& [name, e] : entries_) {
    switch (e.type) {
      case MetricType::kCounter: render_simple(out, *e.counter, "counter"); break;
      case MetricType::kGauge: render_simple(out, *e.gauge, "gauge"); break;
      case MetricType::kHistogram: render_histogram(out, *e.histogram); break;
    }
  }
  return out;
}

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

}  // namespace woolly::obs
