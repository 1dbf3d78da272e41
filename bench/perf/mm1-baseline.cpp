// M/M/1 at utilisation 0.9, hand-written C++ baseline for `npm run bench` (bench/perf/cpp-baseline.ts).
//
// The same work as bench/perf/mm1-kernel.ts on Anvil's kernel, as a general event loop: a binary heap
// (std::priority_queue over a vector) of (time, seq, kind, id) events ordered by time then insertion
// sequence; an arrival event creates a customer and schedules the next arrival, a departure event
// records the sojourn and starts the next customer in line. Customers are integer ids with their
// arrival times in a vector, recycled through a free stack; the line is a std::deque of ids.
// Random draws: xoshiro128** with the same seeding as sim/core/random.ts (same 53-bit doubles),
// exponential as -mean * log(1 - u). Built with g++ -O2 -std=c++17, nothing else.
//
// Usage: mm1-baseline CUSTOMERS [SEED]
// Prints {"customers":..,"seconds":..,"customersPerSecond":..,"meanSojourn_ns":..,"events":..}

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <queue>
#include <string>
#include <vector>

namespace {

// xoshiro128** seeded as sim/core/random.ts does: FNV-1a of the name, mixed with the seed, through SplitMix32.
class RandomStream {
 public:
  RandomStream(double seed, const std::string& name) {
    uint32_t h = 0x811c9dc5u;
    for (unsigned char c : name) {  // names here are ASCII, so bytes equal UTF-16 code units
      h ^= c;
      h *= 0x01000193u;
    }
    const uint32_t lowSeed = static_cast<uint32_t>(static_cast<int64_t>(seed));
    const uint32_t highSeed = static_cast<uint32_t>(static_cast<int64_t>(std::floor(seed / 4294967296.0)));
    x_ = h ^ (lowSeed * 0x9e3779b9u) ^ highSeed;
    s0_ = splitmix();
    s1_ = splitmix();
    s2_ = splitmix();
    s3_ = splitmix();
    if ((s0_ | s1_ | s2_ | s3_) == 0) s0_ = 1;
  }

  uint32_t nextUint32() {
    const uint32_t result = rotl(s1_ * 5u, 7) * 9u;
    const uint32_t t = s1_ << 9;
    s2_ ^= s0_;
    s3_ ^= s1_;
    s1_ ^= s2_;
    s0_ ^= s3_;
    s2_ ^= t;
    s3_ = rotl(s3_, 11);
    return result;
  }

  // Uniform on [0, 1) with 53 random bits.
  double next() {
    const uint32_t hi = nextUint32() >> 5;
    const uint32_t lo = nextUint32() >> 6;
    return (hi * 67108864.0 + lo) / 9007199254740992.0;
  }

 private:
  static uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
  uint32_t splitmix() {
    x_ += 0x9e3779b9u;
    uint32_t z = x_;
    z = (z ^ (z >> 16)) * 0x85ebca6bu;
    z = (z ^ (z >> 13)) * 0xc2b2ae35u;
    return z ^ (z >> 16);
  }
  uint32_t x_;
  uint32_t s0_, s1_, s2_, s3_;
};

class Exponential {
 public:
  Exponential(double mean, RandomStream stream) : mean_(mean), stream_(stream) {}
  double sample() { return -mean_ * std::log(1.0 - stream_.next()); }

 private:
  double mean_;
  RandomStream stream_;
};

enum Kind : int32_t { ARRIVAL = 0, DEPARTURE = 1 };

struct Event {
  double time;
  uint64_t seq;
  int32_t kind;
  int32_t id;
};

// priority_queue is a max-heap: "a after b" puts the earliest (time, seq) on top.
struct Later {
  bool operator()(const Event& a, const Event& b) const {
    return a.time > b.time || (a.time == b.time && a.seq > b.seq);
  }
};

class Simulator {
 public:
  double now = 0;
  uint64_t eventsFired = 0;

  Simulator() {
    std::vector<Event> storage;
    storage.reserve(1024);
    heap_ = std::priority_queue<Event, std::vector<Event>, Later>(Later(), std::move(storage));
  }
  void schedule(double at, int32_t kind, int32_t id) { heap_.push(Event{at, seq_++, kind, id}); }
  void after(double delay, int32_t kind, int32_t id) { schedule(now + delay, kind, id); }
  bool empty() const { return heap_.empty(); }
  Event pop() {
    Event e = heap_.top();
    heap_.pop();
    now = e.time;
    eventsFired++;
    return e;
  }

 private:
  std::priority_queue<Event, std::vector<Event>, Later> heap_;
  uint64_t seq_ = 0;
};

constexpr double SERVICE_MEAN_NS = 1000.0;
constexpr double RHO = 0.9;
constexpr double INTERARRIVAL_MEAN_NS = SERVICE_MEAN_NS / RHO;

struct Outcome {
  uint64_t customers;
  double meanSojourn_ns;
  uint64_t events;
};

Outcome simulate(uint64_t customers, double seed) {
  Simulator sim;
  Exponential service(SERVICE_MEAN_NS, RandomStream(seed, "mm1/service"));
  Exponential interarrival(INTERARRIVAL_MEAN_NS, RandomStream(seed, "mm1/arrivals"));

  // Customer pool.
  std::vector<double> arrival_ns;
  arrival_ns.reserve(1024);
  std::vector<int32_t> freeIds;
  freeIds.reserve(1024);

  std::deque<int32_t> waiting;
  bool busy = false;
  uint64_t created = 0;
  uint64_t completed = 0;
  double sojournSum_ns = 0;

  auto start = [&](int32_t id) {
    busy = true;
    sim.after(service.sample(), DEPARTURE, id);
  };

  sim.schedule(0, ARRIVAL, 0);
  while (!sim.empty()) {
    const Event e = sim.pop();
    switch (e.kind) {
      case ARRIVAL: {
        int32_t id;
        if (!freeIds.empty()) {
          id = freeIds.back();
          freeIds.pop_back();
          arrival_ns[id] = sim.now;
        } else {
          id = static_cast<int32_t>(arrival_ns.size());
          arrival_ns.push_back(sim.now);
        }
        if (busy) waiting.push_back(id);
        else start(id);
        if (++created < customers) sim.after(interarrival.sample(), ARRIVAL, 0);
        break;
      }
      case DEPARTURE: {
        sojournSum_ns += sim.now - arrival_ns[e.id];
        completed++;
        freeIds.push_back(e.id);
        if (!waiting.empty()) {
          const int32_t next = waiting.front();
          waiting.pop_front();
          start(next);
        } else {
          busy = false;
        }
        break;
      }
    }
  }
  return Outcome{completed, sojournSum_ns / static_cast<double>(completed), sim.eventsFired};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CUSTOMERS [SEED]\n", argv[0]);
    return 2;
  }
  char* end = nullptr;
  const unsigned long long customers = std::strtoull(argv[1], &end, 10);
  if (*end != '\0' || customers == 0) {
    std::fprintf(stderr, "mm1-baseline: CUSTOMERS must be a positive integer, got '%s'\n", argv[1]);
    return 2;
  }
  const double seed = argc > 2 ? std::strtod(argv[2], nullptr) : 1.0;

  const auto t0 = std::chrono::steady_clock::now();
  const Outcome outcome = simulate(customers, seed);
  const auto t1 = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(t1 - t0).count();

  std::printf(
      "{\"customers\":%llu,\"seconds\":%.9f,\"customersPerSecond\":%.1f,\"meanSojourn_ns\":%.17g,\"events\":%llu}\n",
      static_cast<unsigned long long>(outcome.customers), seconds, static_cast<double>(outcome.customers) / seconds,
      outcome.meanSojourn_ns, static_cast<unsigned long long>(outcome.events));
  return 0;
}
