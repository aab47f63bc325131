#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "crid/container_events.h"

namespace {

using namespace berth::crid;
using namespace std::chrono_literals;

LifecycleEvent ev(LifecycleEvent::Kind kind, std::string id) { return {kind, std::move(id), "pod", 1}; }

TEST(EventSubscription, DeliversInOrder) {
  EventBus bus;
  EventSubscription sub(bus, 8);
  bus.publish(ev(LifecycleEvent::Kind::ContainerCreated, "a"));
  bus.publish(ev(LifecycleEvent::Kind::ContainerStarted, "a"));
  auto e1 = sub.next(10ms), e2 = sub.next(10ms);
  ASSERT_TRUE(e1 && e2);
  EXPECT_EQ(e1->kind, LifecycleEvent::Kind::ContainerCreated);
  EXPECT_EQ(e2->kind, LifecycleEvent::Kind::ContainerStarted);
  EXPECT_FALSE(sub.next(1ms));
  EXPECT_FALSE(sub.overflowed());
}

TEST(EventSubscription, WakesAWaitingReader) {
  EventBus bus;
  EventSubscription sub(bus, 8);
  std::thread t([&] {
    std::this_thread::sleep_for(20ms);
    bus.publish(ev(LifecycleEvent::Kind::ContainerStopped, "b"));
  });
  auto start = std::chrono::steady_clock::now();
  auto e = sub.next(5s);
  t.join();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->id, "b");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(EventSubscription, FullQueueNeverBlocksThePublisher) {
  EventBus bus;
  EventSubscription sub(bus, 4);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10000; ++i) bus.publish(ev(LifecycleEvent::Kind::ContainerStarted, std::to_string(i)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(sub.overflowed());
  // A subscriber that lost events gets none after the gap.
  EXPECT_FALSE(sub.next(1ms));
}

TEST(EventSubscription, UnsubscribesWhenDestroyed) {
  EventBus bus;
  { EventSubscription sub(bus, 4); }
  bus.publish(ev(LifecycleEvent::Kind::ContainerStarted, "x"));  // no dangling handler
}

TEST(ContainerEvents, KindsAsCri) {
  using K = LifecycleEvent::Kind;
  EXPECT_EQ(to_cri_event(K::ContainerCreated), ::runtime::v1::CONTAINER_CREATED_EVENT);
  EXPECT_EQ(to_cri_event(K::ContainerStarted), ::runtime::v1::CONTAINER_STARTED_EVENT);
  EXPECT_EQ(to_cri_event(K::SandboxCreated), ::runtime::v1::CONTAINER_STARTED_EVENT);
  EXPECT_EQ(to_cri_event(K::ContainerStopped), ::runtime::v1::CONTAINER_STOPPED_EVENT);
  EXPECT_EQ(to_cri_event(K::SandboxStopped), ::runtime::v1::CONTAINER_STOPPED_EVENT);
  EXPECT_EQ(to_cri_event(K::ContainerDeleted), ::runtime::v1::CONTAINER_DELETED_EVENT);
  EXPECT_EQ(to_cri_event(K::SandboxDeleted), ::runtime::v1::CONTAINER_DELETED_EVENT);
}

}  // namespace
