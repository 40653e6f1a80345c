//! Driving the app as an admin would, and reading its state back.

use super::*;

impl TestApp {
    pub async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}/api/v1{path}", self.address)).bearer_auth(ADMIN_TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }

    pub async fn create_resort(&self, body: Value) -> String {
        let (status, resort) = self.admin(reqwest::Method::POST, "/resorts", Some(body)).await;
        assert_eq!(status, 201, "{resort}");
        resort["id"].as_str().unwrap().to_owned()
    }

    /// An employee with `points`, linked from the Kakao account `user_key`.
    pub async fn linked_employee(&self, user_key: &str, name: &str, points: i64) -> String {
        let (status, employee) = self
            .admin(reqwest::Method::POST, "/employees", Some(json!({ "employee_no": user_key, "name": name })))
            .await;
        assert_eq!(status, 201, "{employee}");
        let id = employee["id"].as_str().unwrap().to_owned();
        if points > 0 {
            let grant = json!({ "amount": points, "reason": "test" });
            assert_eq!(self.admin(reqwest::Method::POST, &format!("/employees/{id}/points"), Some(grant)).await.0, 202);
            self.wait_for_points(&id, points).await;
        }
        let linked = self.say(user_key, &format!("연결 {}", employee["link_code"].as_str().unwrap())).await;
        assert!(linked.contains("연결되었습니다"), "{linked}");
        // The chat shows the mypage view of the balance, which follows the ledger on its own time.
        if points > 0 {
            let expected = format!("{points}포인트");
            wait_until("the chat shows the granted points", || async {
                self.say(user_key, "포인트").await.contains(&expected)
            })
            .await;
        }
        id
    }

    pub async fn make_manager(&self, resort_id: &str, employee_id: &str) {
        let (status, body) = self
            .admin(
                reqwest::Method::POST,
                &format!("/resorts/{resort_id}/managers"),
                Some(json!({ "employee_id": employee_id })),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }

    /// Approval requests whose sent message the platform's reference was kept for.
    pub async fn editable_approval_requests(&self) -> i64 {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM push_message WHERE kind = 'approval_request' AND platform_ref IS NOT NULL",
        )
        .fetch_one(&self.pool)
        .await
        .unwrap()
    }

    /// Alerts to one chat account that the push loop gave up on.
    pub async fn failed_pushes(&self, platform: &str, user_id: &str) -> i64 {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM push_message WHERE platform = $1 AND platform_user_id = $2 AND failed_at IS NOT NULL",
        )
        .bind(platform)
        .bind(user_id)
        .fetch_one(&self.pool)
        .await
        .unwrap()
    }

    pub async fn points(&self, employee_id: &str) -> i64 {
        self.admin(reqwest::Method::GET, &format!("/employees/{employee_id}"), None).await.1["points"].as_i64().unwrap()
    }

    pub async fn wait_for_points(&self, employee_id: &str, expected: i64) {
        let mut last = 0;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while tokio::time::Instant::now() < deadline {
            last = self.points(employee_id).await;
            if last == expected {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("balance of {employee_id} stayed {last}, expected {expected}");
    }

    pub async fn booking(&self, reference: &str) -> Value {
        let (_, found) = self.admin(reqwest::Method::GET, &format!("/bookings?reference={reference}"), None).await;
        found["items"].get(0).cloned().unwrap_or(Value::Null)
    }

    pub async fn bookings(&self) -> Vec<Value> {
        self.list_all("/bookings").await
    }

    /// Every item of an admin list, following `next_cursor` page by page.
    pub async fn list_all(&self, path: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        let separator = if path.contains('?') { '&' } else { '?' };
        loop {
            let page_path = match &cursor {
                Some(cursor) => format!("{path}{separator}limit=200&cursor={cursor}"),
                None => format!("{path}{separator}limit=200"),
            };
            let (status, page) = self.admin(reqwest::Method::GET, &page_path, None).await;
            assert_eq!(status, 200, "{page_path}: {page}");
            items.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return items,
            }
        }
    }

    /// Waits until the booking reaches `status`, and returns it.
    pub async fn wait_for_status(&self, reference: &str, status: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let booking = self.booking(reference).await;
            if booking["status"] == status {
                return booking;
            }
            assert!(tokio::time::Instant::now() < deadline, "booking {reference} is {booking}, expected {status}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
