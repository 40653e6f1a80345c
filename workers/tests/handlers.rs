//! Each worker's handler on its own: a delivery in (through the consumer's inbox, as the consume
//! loop applies it), its effects on the worker's tables and the messages it causes out, and a
//! redelivery of the same message changing nothing.

use chrono::{NaiveDate, Utc};
use resort_core::booking::Decision;
use resort_core::bus::InProcessBus;
use resort_core::clock::ManualClock;
use resort_core::db::Pool;
use resort_core::id::{BookingId, EmployeeId, ResortId};
use resort_core::inbox::{Consumer, ConsumerContext, RetryPolicy};
use resort_core::message::{
    BookingRef, Envelope, HotelDecide, HotelHold, Message, PointDeduct, PointGrant, PointRefund,
};
use resort_core::outbox::OutboxSignal;
use std::sync::Arc;

struct Bench {
    context: ConsumerContext,
    _directory: tempfile::TempDir,
}

async fn bench() -> Bench {
    let directory = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", directory.path().join("workers.db").display());
    let pool = resort_core::db::connect_and_migrate(&url).await.unwrap();
    let context = ConsumerContext {
        pool,
        transport: Arc::new(InProcessBus::new()),
        clock: Arc::new(ManualClock::new(Utc::now())),
        outbox_signal: OutboxSignal::new(),
        retry: RetryPolicy::default(),
        concurrency: 1,
    };
    Bench { context, _directory: directory }
}

impl Bench {
    fn pool(&self) -> &Pool {
        &self.context.pool
    }

    /// Delivers `message` to `consumer`; returns the envelope (to deliver it again) and the
    /// types of the messages it caused.
    async fn deliver(&self, consumer: &Consumer, message: Message) -> (Envelope, Vec<(String, serde_json::Value)>) {
        let envelope = message.into_envelope("test", None, Utc::now());
        assert!(consumer.apply(&envelope, &self.context).await.unwrap(), "a new message is handled");
        (envelope.clone(), self.caused_by(&envelope).await)
    }

    async fn redeliver(&self, consumer: &Consumer, envelope: &Envelope) {
        assert!(!consumer.apply(envelope, &self.context).await.unwrap(), "a redelivery is skipped");
    }

    async fn caused_by(&self, envelope: &Envelope) -> Vec<(String, serde_json::Value)> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT message_type, payload FROM outbox_message WHERE causation_id = $1 ORDER BY message_id",
        )
        .bind(envelope.message_id.to_string())
        .fetch_all(self.pool())
        .await
        .unwrap();
        rows.into_iter().map(|(kind, payload)| (kind, serde_json::from_str(&payload).unwrap())).collect()
    }

    async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(self.pool()).await.unwrap()
    }
}

fn kinds(caused: &[(String, serde_json::Value)]) -> Vec<&str> {
    caused.iter().map(|(kind, _)| kind.as_str()).collect()
}

#[tokio::test]
async fn the_point_worker_deducts_once_refuses_an_overdraft_and_refunds_what_was_paid() {
    let bench = bench().await;
    let points = resort_workers::point::consumer();
    let employee = EmployeeId::new();
    let grant = PointGrant { employee_id: employee, amount: 500, reason: "test".into() };
    let (_, caused) = bench.deliver(&points, Message::PointGrant(grant)).await;
    assert_eq!(kinds(&caused), ["point.granted"]);

    let booking = BookingId::new();
    let deduct = Message::PointDeduct(PointDeduct { booking_id: booking, employee_id: employee, amount: 300 });
    let (envelope, caused) = bench.deliver(&points, deduct).await;
    assert_eq!(kinds(&caused), ["point.deducted"]);
    assert_eq!(caused[0].1["balance"], 200);
    bench.redeliver(&points, &envelope).await;
    assert_eq!(resort_workers::point::balance(bench.pool(), employee).await.unwrap(), 200, "deducted once");

    let too_much =
        Message::PointDeduct(PointDeduct { booking_id: BookingId::new(), employee_id: employee, amount: 300 });
    let (_, caused) = bench.deliver(&points, too_much).await;
    assert_eq!(kinds(&caused), ["point.rejected"]);
    assert_eq!(resort_workers::point::balance(bench.pool(), employee).await.unwrap(), 200, "never below zero");

    let refund = Message::PointRefund(PointRefund { booking_id: booking, employee_id: employee, amount: 300 });
    let (_, caused) = bench.deliver(&points, refund).await;
    assert_eq!(kinds(&caused), ["point.refunded"]);
    assert_eq!(resort_workers::point::balance(bench.pool(), employee).await.unwrap(), 500);
}

fn hold(booking: BookingId, resort: ResortId, check_in: NaiveDate, auto_approve: bool) -> Message {
    Message::HotelHold(HotelHold {
        booking_id: booking,
        resort_id: resort,
        room_type_id: None,
        rooms: 1,
        check_in,
        nights: 2,
        auto_approve,
        from_offer: Some(false),
    })
}

#[tokio::test]
async fn the_hotel_worker_holds_every_night_or_none_and_gives_them_back() {
    let bench = bench().await;
    let hotel = resort_workers::hotel::consumer();
    let resort = ResortId::new();
    let check_in = NaiveDate::from_ymd_opt(2026, 12, 24).unwrap();

    let first = BookingId::new();
    let (envelope, caused) = bench.deliver(&hotel, hold(first, resort, check_in, false)).await;
    assert_eq!(kinds(&caused), ["hotel.held"]);
    bench.redeliver(&hotel, &envelope).await;
    assert_eq!(bench.count("SELECT SUM(held) FROM room_night").await, 2, "one room on each of two nights");

    // The only room is taken on the 25th: a stay over it gets nothing, not even the 26th.
    let second = BookingId::new();
    let later = check_in.succ_opt().unwrap();
    let (_, caused) = bench.deliver(&hotel, hold(second, resort, later, true)).await;
    assert_eq!(kinds(&caused), ["hotel.unavailable"]);
    assert_eq!(bench.count("SELECT SUM(held) FROM room_night").await, 2);

    let approve = HotelDecide {
        booking_id: first,
        decision: Decision::Approve,
        decided_by: Some("이매니저".into()),
        reason: None,
    };
    let (envelope, caused) = bench.deliver(&hotel, Message::HotelDecide(approve)).await;
    assert_eq!(kinds(&caused), ["hotel.confirmed"]);
    assert_eq!(caused[0].1["decided_by"], "이매니저");
    bench.redeliver(&hotel, &envelope).await;
    let again = HotelDecide { booking_id: first, decision: Decision::Reject, decided_by: None, reason: None };
    let (_, caused) = bench.deliver(&hotel, Message::HotelDecide(again)).await;
    assert!(caused.is_empty(), "a second decision changes nothing");

    let (_, caused) = bench.deliver(&hotel, Message::HotelRelease(BookingRef { booking_id: first })).await;
    assert_eq!(kinds(&caused), ["hotel.released"]);
    assert_eq!(bench.count("SELECT COALESCE(SUM(held), 0) FROM room_night").await, 0, "the nights are free again");

    // A rejection says what the command said, and frees the nights.
    let third = BookingId::new();
    bench.deliver(&hotel, hold(third, resort, check_in, false)).await;
    let reason = Some(resort_core::booking::RejectReason::ManagerTimedOut);
    let expire = HotelDecide { booking_id: third, decision: Decision::Expire, decided_by: None, reason };
    let (_, caused) = bench.deliver(&hotel, Message::HotelDecide(expire)).await;
    assert_eq!(kinds(&caused), ["hotel.rejected"]);
    assert_eq!(caused[0].1["reason"], "manager_timed_out");
    assert_eq!(bench.count("SELECT COALESCE(SUM(held), 0) FROM room_night").await, 0);
}

/// A booking event as the saga sends it: one night at 설악 오션 on 24 December.
fn booking_snapshot(
    booking_id: BookingId,
    employee_id: EmployeeId,
    resort_id: ResortId,
    status: resort_core::booking::BookingStatus,
    version: i64,
) -> Message {
    Message::Booking(resort_core::message::BookingSnapshot {
        booking_id,
        reference: "R7K2QH3".into(),
        employee_id,
        resort_id,
        resort_name: "설악 오션".into(),
        check_in: NaiveDate::from_ymd_opt(2026, 12, 24).unwrap(),
        nights: 1,
        points: 100,
        status,
        reason: None,
        refund_points: None,
        decided_by: None,
        approval_deadline_at: None,
        version,
    })
}

#[tokio::test]
async fn the_mypage_worker_keeps_the_latest_version_of_a_booking() {
    let bench = bench().await;
    let mypage = resort_workers::mypage::consumer();
    let (booking_id, employee_id, resort_id) = (BookingId::new(), EmployeeId::new(), ResortId::new());
    let snapshot = |status, version| booking_snapshot(booking_id, employee_id, resort_id, status, version);
    use resort_core::booking::BookingStatus as S;
    bench.deliver(&mypage, snapshot(S::Confirmed, 3)).await;
    // An older version arriving late does not overwrite the newer one.
    bench.deliver(&mypage, snapshot(S::Requested, 1)).await;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let (history, _, _) = resort_workers::mypage::history(bench.pool(), employee_id, today, 0, 10).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].status, "confirmed");
}

/// One batch, as the consume loop hands it over: several versions of two bookings and of two
/// balances, out of order and one message twice. Each row ends at its newest version, and the
/// repeated message counts once.
#[tokio::test]
async fn the_mypage_worker_applies_a_batch_at_the_newest_version_of_each_row() {
    use resort_core::booking::BookingStatus as S;
    use resort_core::message::{PointGranted, PointMoved};
    let bench = bench().await;
    let mypage = resort_workers::mypage::consumer();
    let (first, second, employee, other, resort_id) =
        (BookingId::new(), BookingId::new(), EmployeeId::new(), EmployeeId::new(), ResortId::new());
    let snapshot = |booking_id, status, version| booking_snapshot(booking_id, employee, resort_id, status, version);
    let moved = |balance, account_version| {
        Message::PointDeducted(PointMoved {
            booking_id: first,
            employee_id: employee,
            amount: 100,
            balance,
            account_version,
        })
    };
    let granted = Message::PointGranted(PointGranted {
        employee_id: other,
        amount: 500,
        reason: "welcome".into(),
        balance: 500,
        account_version: 1,
    });
    let messages = [
        snapshot(first, S::Requested, 1),
        snapshot(first, S::Confirmed, 3),
        snapshot(second, S::AwaitingApproval, 2),
        moved(800, 3),
        snapshot(first, S::PointsDeducted, 2),
        moved(900, 2),
        granted,
    ];
    let envelopes: Vec<Envelope> =
        messages.into_iter().map(|message| message.into_envelope("test", None, Utc::now())).collect();
    let mut batch: Vec<&Envelope> = envelopes.iter().collect();
    batch.push(&envelopes[0]);
    let fresh = mypage.apply_batch(&batch, &bench.context).await.unwrap();
    assert_eq!(fresh.len(), envelopes.len());

    let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let (history, _, _) = resort_workers::mypage::history(bench.pool(), employee, today, 0, 10).await.unwrap();
    let mut statuses: Vec<(String, String)> =
        history.iter().map(|entry| (entry.booking_id.clone(), entry.status.clone())).collect();
    statuses.sort();
    let mut expected =
        vec![(first.to_string(), "confirmed".to_owned()), (second.to_string(), "awaiting_approval".to_owned())];
    expected.sort();
    assert_eq!(statuses, expected);
    assert_eq!(resort_workers::mypage::balance(bench.pool(), employee).await.unwrap(), Some(800));
    assert_eq!(resort_workers::mypage::balance(bench.pool(), other).await.unwrap(), Some(500));
    assert_eq!(bench.count("SELECT COUNT(*) FROM inbox_message").await, envelopes.len() as i64);
    // The same batch again changes nothing.
    assert!(mypage.apply_batch(&batch, &bench.context).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_batch_of_deductions_judges_each_against_what_the_ones_before_it_left() {
    let bench = bench().await;
    let points = resort_workers::point::consumer();
    let (rich, poor, nobody) = (EmployeeId::new(), EmployeeId::new(), EmployeeId::new());
    for (employee, amount) in [(rich, 500), (poor, 100)] {
        let grant = PointGrant { employee_id: employee, amount, reason: "test".into() };
        bench.deliver(&points, Message::PointGrant(grant)).await;
    }
    let deduct = |employee_id, amount| {
        Message::PointDeduct(PointDeduct { booking_id: BookingId::new(), employee_id, amount }).into_envelope(
            "test",
            None,
            Utc::now(),
        )
    };
    // The rich employee's second deduction fits what the first left; the third no longer does.
    let envelopes = [deduct(rich, 300), deduct(poor, 100), deduct(rich, 200), deduct(rich, 1), deduct(nobody, 10)];
    let batch: Vec<&Envelope> = envelopes.iter().collect();
    assert_eq!(points.apply_batch(&batch, &bench.context).await.unwrap().len(), envelopes.len());

    let mut answers = Vec::new();
    for envelope in &envelopes {
        let caused = bench.caused_by(envelope).await;
        assert_eq!(caused.len(), 1, "one answer per deduction");
        let (kind, payload) = &caused[0];
        answers.push((kind.clone(), payload["balance"].as_i64().unwrap()));
    }
    let expected = [
        ("point.deducted", 200),
        ("point.deducted", 0),
        ("point.deducted", 0),
        ("point.rejected", 0),
        ("point.rejected", 0),
    ];
    assert_eq!(answers, expected.map(|(kind, balance)| (kind.to_owned(), balance)));
    assert_eq!(bench.caused_by(&envelopes[2]).await[0].1["account_version"], 3, "granted once, deducted twice");
    assert_eq!(resort_workers::point::balance(bench.pool(), rich).await.unwrap(), 0);
    assert_eq!(resort_workers::point::balance(bench.pool(), poor).await.unwrap(), 0);
    assert_eq!(bench.count("SELECT COUNT(*) FROM point_ledger WHERE kind = 'deduct'").await, 3);
    assert_eq!(
        bench.count("SELECT COUNT(*) FROM point_ledger WHERE kind = 'deduct' AND balance_after = 0").await,
        2,
        "each ledger row keeps the balance it left"
    );
    // The same batch again changes nothing.
    assert!(points.apply_batch(&batch, &bench.context).await.unwrap().is_empty());
    assert_eq!(bench.count("SELECT COUNT(*) FROM point_ledger").await, 5);
}

#[tokio::test]
async fn a_batch_of_holds_takes_rooms_in_order_every_night_or_none() {
    let bench = bench().await;
    let hotel = resort_workers::hotel::consumer();
    let resort = ResortId::new();
    let day = |d| NaiveDate::from_ymd_opt(2027, 3, d).unwrap();
    let hold = |booking_id, check_in, nights, rooms| {
        Message::HotelHold(HotelHold {
            booking_id,
            resort_id: resort,
            room_type_id: None,
            rooms,
            check_in,
            nights,
            auto_approve: true,
            from_offer: Some(false),
        })
        .into_envelope("test", None, Utc::now())
    };
    // Two rooms. The first two take the 10th and 11th; the third needs the 11th again and finds it
    // full, so it takes no night at all; the fourth fits on the 12th; the first comes again.
    let (first, second, third, fourth) = (BookingId::new(), BookingId::new(), BookingId::new(), BookingId::new());
    let envelopes = [
        hold(first, day(10), 2, 2),
        hold(second, day(10), 2, 2),
        hold(third, day(11), 2, 2),
        hold(fourth, day(12), 1, 2),
        hold(first, day(10), 2, 2),
    ];
    let batch: Vec<&Envelope> = envelopes.iter().collect();
    hotel.apply_batch(&batch, &bench.context).await.unwrap();

    let mut answers = Vec::new();
    for envelope in &envelopes {
        answers.push(kinds(&bench.caused_by(envelope).await).join(","));
    }
    assert_eq!(answers, ["hotel.confirmed", "hotel.confirmed", "hotel.unavailable", "hotel.confirmed", ""]);
    let held: Vec<(String, i64)> =
        sqlx::query_as("SELECT night, held FROM room_night ORDER BY night").fetch_all(bench.pool()).await.unwrap();
    let expected = [("2027-03-10", 2), ("2027-03-11", 2), ("2027-03-12", 1)];
    assert_eq!(held, expected.map(|(night, held)| (night.to_owned(), held)));
    assert_eq!(bench.count("SELECT COUNT(*) FROM room_hold").await, 3, "the third's hold row is gone");
    let third_held = format!("SELECT COUNT(*) FROM room_hold WHERE booking_id = '{third}'");
    assert_eq!(bench.count(&third_held).await, 0);
}
