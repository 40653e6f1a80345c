# resortbot — 한국어 (기본 언어)

## 공통 표현
stay-line = { $resort } · { $dates } · { $points }포인트
stay-span = { $from } → { $to }, { $nights }박
date-weekday = { $month }월 { $day }일({ $weekday })
date-weekday-in-month = { $day }일({ $weekday })
nights-label = { $nights }박
status-requested = 요청됨
status-points-deducted = 포인트 차감됨
status-awaiting-approval = 승인 대기
status-confirmed = 확정
status-rejected = 거절됨
status-cancelling = 취소 중
status-cancelled = 취소됨
reason-insufficient-points = 포인트 부족
reason-no-room = 빈 객실 없음
reason-manager-rejected = 담당자 거절
reason-manager-timed-out = 승인 기한 초과

## 메뉴와 버튼
menu-book = 예약하기
menu-my = 내 예약
menu-points = 포인트
menu-cancel = 예약 취소
menu-pending = 승인 대기
menu-arrivals = 오늘 체크인
menu-help = 도움말
button-approve = 승인
button-reject = 거절
button-confirm = 확정
button-back = 뒤로
button-quit = 그만
button-cancel-confirm = 취소 확정
button-cancel-keep = 유지

## 도움말과 계정 연결
help-unlinked =
    휴양소 예약 봇입니다. 먼저 관리자에게 받은 연결 코드로 계정을 연결해 주세요.
    예: 연결 AB12CD34
help =
    { $name }님, 이렇게 말씀해 주세요.
    • 예약 — 단계별로 예약하기
    • 예약 휴양소 [객실] 2026-12-24 2박 [4명] — 한 번에 예약하기
    • 내 예약 — 예약 내역
    • 포인트 — 포인트 잔액 (포인트 내역 — 최근 지급·차감·환불)
    • 한도 — 올해 이용 한도와 예약 가능 기간
    • 추첨 — 성수기 추첨 목록과 신청 (추첨 신청 이름 2 1 / 추첨 취소)
    • 대기 신청 휴양소 2026-12-24 2박 — 빈 객실이 나면 알려 드려요 (대기 목록 / 대기 취소 날짜)
    • 취소 또는 취소 참조번호 — 예약 취소
help-manager =
    담당자 메뉴
    • 대기 — 승인을 기다리는 요청
    • 승인 참조번호 / 거절 참조번호
    • 오늘 체크인 — 오늘 도착하는 손님
link-done = { $name }님, 계정이 연결되었습니다. 이제 예약할 수 있어요.

## 예약
booking-requested =
    예약 요청을 접수했습니다. 참조번호 { $reference }
    { $stay } · { $room_type } · { $guests }명
    진행 상황은 알림으로 보내 드릴게요.
flow-ask-resort = 어느 휴양소로 예약할까요?
flow-resort-line = • { $name } ({ $region }) · 1박 { $points }포인트
flow-ask-date = { $resort }: 체크인 날짜를 고르거나 YYYY-MM-DD 형식으로 입력해 주세요.
calendar-title = { $year }년 { $month }월
calendar-weekdays = 월 화 수 목 금 토 일
calendar-day-open = { $day }·{ $nights }
calendar-day-full = ✕
calendar-day-blackout = 휴무
calendar-day-not-open = 예정
calendar-day-lottery = 추첨
calendar-legend = 날짜·숫자 = 그날부터 묵을 수 있는 최대 박수, ✕ = 빈 객실 없음, 휴무 = 예약 불가 기간, 예정 = 아직 열리지 않은 날, 추첨 = 추첨으로 배정되는 날
button-previous-month = ◀ 이전 달
button-next-month = 다음 달 ▶
flow-no-dates = { $resort }에는 지금 예약할 수 있는 빈 객실이 없습니다. 다음 날짜는 { $opens } { $time }에 열립니다. 날짜를 직접 입력하거나 다른 휴양소를 골라 주세요.
flow-ask-nights = { $check_in } 체크인, 몇 박 하시나요? (최대 { $max }박)
flow-summary =
    { $stay } · { $room_type } · { $guests }명
    잔액 { $balance }포인트 → 예약 후 { $after }포인트
    이대로 예약할까요?
flow-ask-room-type = { $resort }: 어떤 객실로 할까요?
flow-ask-room-type-for = { $resort } · { $check_in }부터 { $nights }박: 어떤 객실로 할까요?
flow-room-type-line = • { $name } · 최대 { $capacity }명 · 1박 { $points }포인트 · { $rooms }실
flow-ask-guests = 몇 분이 묵으시나요? (최대 { $max }명)
guests-label = { $guests }명
room-type-default = 기본
button-choose-again = 다시 고르기
flow-quit = 예약을 그만두었습니다.
flow-stale = 이전 단계의 버튼이에요. 지금 단계를 다시 보여 드릴게요.
flow-expired = 진행 중인 예약이 없습니다. '예약'으로 다시 시작해 주세요.
flow-already-requested = 이미 요청한 예약입니다. 참조번호 { $reference }

## 내역과 포인트
history-title = 최근 예약 내역
history-title-page = 내 예약 ({ $total }건 중 { $first }–{ $last })
history-upcoming = 다가오는 예약
button-more = 더 보기
history-past = 지난 예약
history-empty = 아직 예약 내역이 없습니다.
points-balance = 포인트 잔액은 { $points }포인트입니다.

## 취소
cancel-none = 취소할 수 있는 예약이 없습니다.
cancel-choice = { $resort } { $date }
cancel-choose = 취소할 예약을 골라 주세요.
cancel-quote =
    { $reference } · { $stay }
    지금 취소하면 { $points }포인트 중 { $refund }포인트를 돌려받습니다.
    { $rule }
    취소할까요?
refund-rule-free = { $until }까지 취소하면 전액 돌려받습니다 (체크인 { $free_days }일 전까지 무료 취소).
refund-rule-late = { $percent ->
        [0] 체크인 { $free_days }일 전부터는 취소해도 포인트를 돌려받지 못합니다
       *[other] 체크인 { $free_days }일 전부터는 { $percent }%만 돌려받습니다
    } ({ $days_left ->
        [0] 오늘이 체크인 날입니다
       *[other] 오늘은 체크인 { $days_left }일 전
    }).
peak-surcharge = 성수기 { $nights }박 포함: 1박 { $price }포인트 (평소 { $base }포인트의 { $percent }%)
cancel-started = { $reference } 취소를 진행합니다. { $refund }포인트가 환불됩니다.

## 담당자
approval-request =
    승인 요청: { $guest }님 · { $reference }
    { $stay }
    { $deadline }까지 결정해 주세요.
pending-title-page = 승인을 기다리는 요청 { $count }건 중 { $first }–{ $last }번째
button-next-page = 다음 요청
pending-none = 승인을 기다리는 요청이 없습니다.
approval-closed =
    { $guest }님 · { $reference } · { $stay }
    처리됨: { $status } ({ $time })
decision-approved =
    { $guest }님 · { $reference } · { $stay }
    ✅ { $manager }님이 승인했습니다 ({ $time }).
decision-rejected =
    { $guest }님 · { $reference } · { $stay }
    ❌ { $manager }님이 거절했습니다 ({ $time }).
arrivals-title = 오늘 체크인
arrivals-none = 오늘 체크인하는 손님이 없습니다.

## 알림
push-confirmed =
    예약이 확정되었습니다. 참조번호 { $reference }
    { $stay }
push-rejected =
    예약이 거절되었습니다 ({ $reason }). 참조번호 { $reference }
    { $stay }
    환불 포인트: { $refund }
push-cancelled = { $reference } 예약이 취소되었습니다. { $refund }포인트가 환불되었습니다.
push-timed-out-manager = { $reference } 요청이 승인 기한을 넘겨 자동으로 거절되었습니다.

## 오류
error-internal = 죄송합니다. 잠시 문제가 생겼어요. 조금 뒤에 다시 시도해 주세요.
error-not-linked = 먼저 계정을 연결해 주세요. 관리자에게 받은 코드로 '연결 코드'라고 보내면 됩니다.
error-bad-link-code = 연결 코드가 맞지 않거나, 이미 쓰였거나, 기한이 지났습니다. 관리자에게 새 코드를 받아 주세요.
error-link-locked = 연결 코드가 여러 번 틀려 잠시 막아 두었습니다. { $time } 이후에 다시 시도해 주세요.
error-book-usage = 예약은 '예약 휴양소 YYYY-MM-DD N박' 형식으로 보내거나, '예약'만 보내 단계별로 진행해 주세요.
error-unknown-resort = '{ $name }' 휴양소를 찾을 수 없습니다. '예약'을 보내면 목록을 보여 드려요.
error-bad-date = 날짜는 YYYY-MM-DD 형식으로 입력해 주세요. 예: 2026-12-24
error-check-in-past = 체크인 날짜가 이미 지났습니다. 오늘 이후 날짜를 골라 주세요.
error-no-nights = 최소 1박은 선택해 주세요.
error-too-many-nights = 이 휴양소는 최대 { $max }박까지 예약할 수 있습니다.
error-too-far-ahead = 체크인은 { $last }까지 예약할 수 있습니다.
error-inactive-employee = 이 직원 계정은 지금 예약하거나 연결할 수 없습니다. 복지팀에 문의해 주세요.
error-inactive-resort = 이 휴양소는 지금 예약을 받지 않습니다.
error-blackout = { $night }은 예약할 수 없습니다: { $reason }
error-not-open-yet = { $date }은 { $opens } { $time }부터 예약할 수 있습니다.
error-too-short-notice = 체크인은 { $earliest }부터 예약할 수 있습니다.
error-nights-out-of-range = 이 휴양소는 최소 { $min }박, 최대 { $max }박까지 예약할 수 있습니다.
weekday-names = 월 화 수 목 금 토 일
month-names = 1월 2월 3월 4월 5월 6월 7월 8월 9월 10월 11월 12월
date-with-year = { $year }년 { $month }월 { $day }일({ $weekday })
error-bad-nights = 숙박 일수는 숫자로 입력해 주세요. 예: 2박
error-overlap = 같은 기간에 이미 예약({ $reference })이 있습니다.
error-unknown-booking = 예약 { $reference }을(를) 찾을 수 없습니다.
error-not-cancellable = { $reference } 예약은 지금 취소할 수 없습니다 (상태: { $status }).
error-not-manager = 휴양소 담당자만 쓸 수 있는 기능입니다.
error-not-manager-of = { $reference } 예약의 휴양소 담당자가 아닙니다.
error-own-booking = { $reference }은(는) 본인의 예약이라 직접 승인하거나 거절할 수 없습니다. 다른 담당자나 관리자가 결정하며, 기한이 지나면 자동으로 처리됩니다.
error-already-decided = { $reference }은(는) 이미 처리되었습니다 (상태: { $status }).
error-already-decided-by = { $reference }은(는) { $manager }님이 이미 처리했습니다 (상태: { $status }).
error-no-room-on = { $date }에는 빈 객실이 없습니다. 다른 날짜를 골라 주세요.
error-not-understood = 잘 이해하지 못했어요. '도움말'을 보내면 쓸 수 있는 말을 알려 드려요.
error-unauthorized = 인증되지 않은 요청입니다.
error-bad-request = 요청 형식이 올바르지 않습니다.
error-wrong-bot = 이 봇으로 보낸 요청이 아닙니다.
error-too-long = 메시지가 너무 깁니다. 1000자 이내로 보내 주세요.

## 관리자 API
api-unauthorized = 관리자 토큰이 없거나 올바르지 않습니다.
api-not-found = 찾는 항목이 없습니다.
api-forbidden = 조회 전용 관리자는 내용을 바꿀 수 없습니다.
api-insufficient-points = 잔액이 { $balance }포인트로, 차감할 포인트보다 적습니다.
api-bad-request = 요청 본문이 올바른 JSON이 아닙니다.
api-invalid-field = '{ $field }' 값이 올바르지 않습니다.
api-method-not-allowed = 이 경로는 이 메서드를 받지 않습니다.
api-unsupported-media-type = 요청 본문은 content-type: application/json 이어야 합니다.
api-invalid-parameter = 쿼리 매개변수 '{ $field }'을(를) 여기서 쓸 수 없거나 값이 올바르지 않습니다.
api-invalid-range = '{ $field }' 값이 다른 조건과 맞지 않습니다 (끝이 시작보다 앞서거나 기간이 너무 깁니다).
api-resort-name-taken = 같은 이름의 휴양소가 이미 있습니다.
api-room-type-name-taken = 이 휴양소에 같은 이름의 객실 유형이 이미 있습니다.
api-employee-no-taken = 같은 사번의 직원이 이미 있습니다.
api-not-cancellable = 이 예약은 지금 취소할 수 없습니다 (상태: { $status }).
api-rooms-below-held = 이미 그보다 많은 객실이 예약된 날이 있어 객실 수를 줄일 수 없습니다: { $nights }
api-not-awaiting-approval = 이 예약은 승인을 기다리고 있지 않습니다 (상태: { $status }).
decided-by-admin = 관리자
api-already-replayed = 이미 다시 보낸 메시지입니다.
api-internal = 서버 내부 오류가 발생했습니다.

## 텔레그램 명령 메뉴
telegram-command-book = 휴양소 예약 (단계별)
telegram-command-my = 내 예약 보기
telegram-command-cancel = 예약 취소
telegram-command-points = 포인트 잔액
telegram-command-limits = 올해 이용 한도와 예약 가능 기간
telegram-command-link = 계정 연결: /link 코드
telegram-command-start = 시작 (초대 링크의 코드로 연결)
telegram-command-help = 도움말
telegram-command-pending = 승인 대기 요청 (담당자)
telegram-command-arrivals = 오늘 체크인 (담당자)

## 디스코드 명령
discord-command-book = 휴양소 예약 (단계별)
discord-command-cancel = 예약 취소 (환불 포인트 안내)
discord-command-my = 내 예약 보기
discord-command-points = 포인트 잔액
discord-command-limits = 올해 이용 한도와 예약 가능 기간
discord-command-link = 관리자에게 받은 코드로 계정 연결
discord-command-help = 도움말
discord-command-pending = 승인 대기 요청 (담당자)
discord-command-arrivals = 오늘 체크인 (담당자)
discord-option-code = 연결 코드

## 웹 콘솔과 운영 대시보드
console-title = 휴양소 예약 봇
console-choose = 누구로 대화할까요?
console-manager = 담당자
console-code-label = 또는 연결 코드로
console-code-link = 연결
console-placeholder = 메시지를 입력하세요 (예: 예약, 내 예약, 도움말)
console-send = 보내기
console-menu = 주요 메뉴
console-switch = 다른 사람으로
console-talking-as = 대화 중:
console-alert = 알림
console-connected = 알림 연결됨
console-disconnected = 알림 연결이 끊겼습니다. 다시 연결하는 중…
console-error = 요청을 처리하지 못했습니다. 잠시 후 다시 시도해 주세요.
console-open-dashboard = 운영 대시보드
console-open-chat = 채팅 콘솔
console-error-not-demo = 데모 사용자가 아닙니다.
dashboard-title = 운영 대시보드
dashboard-token = 관리자 토큰
dashboard-connect = 연결
dashboard-unauthorized = 토큰이 맞지 않습니다.
dashboard-bookings = 예약
dashboard-balances = 포인트 잔액
dashboard-dead-letters = 처리하지 못한 메시지
dashboard-reports = 보고서(CSV):
dashboard-report-bookings = 예약
dashboard-report-occupancy = 객실 점유
dashboard-report-points = 포인트 내역
dashboard-updated = 갱신
dashboard-col-resort = 휴양소
dashboard-col-reference = 참조번호
dashboard-col-employee = 직원
dashboard-col-check-in = 체크인
dashboard-col-nights = 박
dashboard-col-points = 포인트
dashboard-col-status = 상태
dashboard-col-name = 이름
dashboard-col-number = 사번
dashboard-col-type = 종류
dashboard-col-error = 오류
dashboard-signed-in-as = 로그인:
dashboard-sign-out = 로그아웃
dashboard-role-admin = 관리자
dashboard-role-viewer = 조회 전용
dashboard-chart-occupancy = 객실 점유 — 앞으로 60일, 휴양소·객실 유형별
dashboard-chart-occupancy-legend = 칸의 숫자 = 예약된 객실 수, 진할수록 가득 참 (빈칸 = 모두 비어 있음)
dashboard-chart-per-day = 날짜별 예약 — 최근 30일, 결과별
dashboard-chart-points = 휴양소별 사용 포인트 — 최근 30일
dashboard-chart-approval = 승인에 걸린 시간 — 최근 30일
dashboard-filter-resort = 휴양소
dashboard-filter-status = 상태
dashboard-filter-from = 체크인 시작
dashboard-filter-to = 체크인 끝
dashboard-filter-employee = 직원
dashboard-filter-reference = 참조번호
dashboard-filter-apply = 찾기
dashboard-filter-clear = 조건 지우기
dashboard-filter-any = 전체
dashboard-more = 더 보기
dashboard-detail = 예약 상세
dashboard-action-cancel = 예약 취소
dashboard-reason = 사유
dashboard-full-refund = 위약 규정과 관계없이 포인트 전액 환불
dashboard-action-decide = 승인 결정 (결정할 관리자가 없을 때)
dashboard-approve = 승인
dashboard-reject = 거절
dashboard-action-points = 포인트 지급·차감
dashboard-amount = 포인트 (차감은 음수)
dashboard-action-points-submit = 반영
dashboard-unit-bookings = 건
dashboard-unit-minutes = 분
dashboard-unit-nights = 박
dashboard-median = 중앙값
dashboard-max = 최대
dashboard-outcome-confirmed = 확정
dashboard-outcome-pending = 진행 중
dashboard-outcome-rejected = 거절
dashboard-outcome-cancelled = 취소
dashboard-no-data = 아직 자료가 없습니다.
dashboard-none = 조건에 맞는 예약이 없습니다.
dashboard-refunded = 환불
dashboard-decided-by = 결정
dashboard-timeline = 진행 기록
dashboard-done = 반영했습니다.
dashboard-col-at = 시각
dashboard-replay = 다시 처리
step-requested = 예약 요청
step-cancel-requested = 취소 요청
step-manager-approved = 승인
step-manager-rejected = 거절
step-approval-deadline-passed = 승인 기한 지남
step-point-deducted = 포인트 차감
step-point-rejected = 포인트 부족
step-point-refunded = 포인트 환불
step-hotel-held = 객실 확보
step-hotel-unavailable = 빈 객실 없음
step-hotel-confirmed = 예약 확정
step-hotel-rejected = 객실 반환(거절)
step-hotel-released = 객실 반환
step-hotel-offered = 대기자에게 객실 제안
language-ko = 한국어
language-en = English

telegram-answered-privately = 개인 정보가 담긴 답이라 개인 대화로 보내 드렸어요.
telegram-open-private-chat = 개인 정보가 담긴 답은 그룹에 보내지 않아요. 저와 개인 대화를 열고 다시 말씀해 주세요. { $link }

## 예약 규칙
error-bad-guests = 인원은 1 이상의 숫자로 입력해 주세요. 예: 2명
error-unknown-room-type = { $resort }에는 '{ $name }' 객실이 없습니다. 객실: { $types }
error-too-many-guests = 이 객실은 최대 { $capacity }명까지 묵을 수 있습니다.
error-insufficient-points = 포인트가 부족합니다: 필요 { $cost }포인트, 잔액 { $balance }포인트
limit-used-stay = { $reference }({ $date })
error-yearly-stays = { $when }이용 한도(연 { $limit }회)를 모두 사용했습니다: { $stays }
error-yearly-nights = { $when }숙박 한도(연 { $limit }박) 중 { $left }박만 남았습니다: { $stays }
error-yearly-stays-here = { $when }이 휴양소 이용 한도(연 { $limit }회)를 모두 사용했습니다: { $stays }
limit-when-this-year = 올해{" "}
limit-when-year = { $year }년{" "}
date-short = { $month }월 { $day }일
limits-title = { $year }년 이용 한도
limits-stays = • 숙박 횟수: 연 { $limit }회 중 { $used }회 사용, { $left }회 남음
limits-stays-free = • 숙박 횟수: 제한 없음 (올해 { $used }회)
limits-nights = • 숙박 일수: 연 { $limit }박 중 { $used }박 사용, { $left }박 남음
limits-nights-free = • 숙박 일수: 제한 없음 (올해 { $used }박)
limits-resort = • { $resort }: 연 { $limit }회 중 { $used }회 사용, { $left }회 남음
limits-late-cancel-counts = 무료 취소 기간이 지난 뒤 직접 취소한 예약도 횟수에 들어갑니다.
limits-windows = 예약 가능 기간
limits-window-line = • { $resort }: { $last }까지 · 다음 날은 { $opens } { $time }에 열림
api-several-room-types = 객실 유형이 여러 개인 휴양소입니다. 객실 수와 가격은 객실 유형에서 바꿔 주세요.

## 추첨
lottery-none = 지금 신청을 받는 추첨이 없습니다.
lottery-title = 신청을 받는 추첨
lottery-line =
    ■ { $name } · { $resort } · 신청 마감 { $closes }
      추첨 시드 약속값(SHA-256): { $commitment }
lottery-slot-line =   { $number }. { $stay } · { $rooms }실
lottery-how = 신청: '추첨 신청 { $example } 2 1'처럼 원하는 순서대로 번호를 최대 3개 보내 주세요. 철회: '추첨 취소'
lottery-applied = '{ $name }' 추첨에 신청했습니다 (희망 순서 { $slots }). 추첨은 { $draws }에 진행되고 결과를 알려 드립니다. 포인트는 당첨되면 그때 차감됩니다.
lottery-withdrawn = '{ $name }' 추첨 신청을 철회했습니다.
lottery-won =
    🎉 '{ $name }' 추첨에 당첨되었습니다.
    { $stay }
    예약이 진행되면 확정 알림을 보내 드립니다.
lottery-lost = '{ $name }' 추첨 결과: 이번에는 배정되지 않았습니다. 추첨 순서 { $place }/{ $of }번째, 가중치 { $weight } ({ $factors }).
lottery-factor-base = 기본 가중치
lottery-factor-recent-stay = 최근 1년 안에 이용함
lottery-factor-no-show = 노쇼 { $count }회
lottery-factor-never-won = 당첨된 적 없음
error-unknown-lottery = 신청을 받는 추첨 중 '{ $name }'을(를) 찾을 수 없습니다. '추첨'을 보내면 목록을 보여 드려요.
error-lottery-closed = 이 추첨은 지금 신청을 받지 않습니다.
error-lottery-applied = 이미 '{ $name }' 추첨에 신청했습니다. 바꾸려면 먼저 '추첨 취소'로 철회해 주세요.
error-lottery-not-applied = '{ $name }' 추첨에 신청한 내역이 없습니다.
error-lottery-slots = 희망 번호는 1부터 { $slots }까지 서로 다른 번호로 최대 3개 보내 주세요.
error-lottery-rule = { $number }번 일정은 신청할 수 없습니다: { $rule }
error-lottery-night = { $night }은 '{ $name }' 추첨으로 배정됩니다. '추첨'으로 신청해 주세요.
api-lottery-name-taken = 같은 이름의 추첨이 이미 있습니다.
api-lottery-not-drawn = 아직 추첨하지 않았습니다.

## 대기 신청 (빈 객실이 나면 채팅으로 제안)
stay-dates = { $resort } · { $dates }
button-waitlist-join = 대기 신청
button-waitlist-leave = 대기 취소
button-offer-accept = 수락
button-offer-decline = 거절
waitlist-joined =
    대기 신청이 접수되었습니다: { $stay } · { $room_type }
    지금 { $position }번째입니다. 객실이 나면 채팅으로 알려 드리고, { $hours }시간 동안 잡아 둘게요.
waitlist-none = 대기 중인 신청이 없습니다. 빈 객실이 없는 날짜를 예약하려 하면 대기 신청 버튼이 나와요.
waitlist-title = 대기 신청 목록
waitlist-line = • { $stay } · { $position }번째
waitlist-line-offered = • { $stay } · 객실을 잡아 두었습니다. { $until }까지 수락해 주세요.
waitlist-how-to-leave = 대기를 그만두려면 '대기 취소 { $date }'처럼 체크인 날짜를 보내 주세요.
waitlist-left = { $date } 체크인 대기 { $count }건을 취소했습니다.
waitlist-offer =
    기다리시던 객실이 났습니다: { $stay } · { $room_type }
    { $until }까지 수락하시면 예약이 진행되고 그때 포인트가 차감됩니다. 답이 없으면 다음 분께 넘어가요.
    (채팅으로는 '대기 수락' 또는 '대기 거절')
waitlist-offer-expired = { $stay } 객실 제안의 수락 시간이 지나 다음 대기자에게 넘어갔습니다.
waitlist-offer-accepted =
    객실 제안을 수락했습니다. 참조번호 { $reference }
    { $stay }
    진행 상황은 알림으로 보내 드릴게요.
waitlist-offer-declined = 객실 제안을 거절했습니다. 다음 대기자에게 넘어갑니다.
error-waitlist-usage = 대기 신청은 '대기 신청 휴양소 2026-12-24 2박'처럼 휴양소, 체크인 날짜, 박수를 함께 보내 주세요.
error-waitlist-room-type = { $resort }에는 객실 유형이 여럿입니다. 유형을 함께 적어 주세요: { $types }
error-waitlist-rooms-free = 그 일정에는 빈 객실이 있어 바로 예약할 수 있습니다.
error-waitlist-already = 이미 같은 일정으로 대기 중입니다. '대기 목록'으로 순서를 볼 수 있어요.
error-waitlist-not-waiting = { $date } 체크인으로 대기 중인 신청이 없습니다.
error-no-offer = 수락하거나 거절할 객실 제안이 없습니다. 이미 답했거나 시간이 지났을 수 있어요.
error-offer-passed-on = 객실 제안을 받을 수 없어 다음 대기자에게 넘겼습니다: { $reason }
telegram-command-lottery = 성수기 추첨 목록과 신청
telegram-command-waitlist = 대기 신청 목록
discord-command-lottery = 성수기 추첨 목록과 신청
discord-command-waitlist = 대기 신청 목록
button-lottery-apply = '{ $name }' 신청
button-lottery-slot = { $number }. { $date } { $nights }박
button-lottery-confirm = 이 순서로 신청
lottery-pick-first = '{ $name }' ({ $resort }): 가장 원하는 일정을 골라 주세요. 최대 3개까지 순서대로 고를 수 있어요.
lottery-pick-next = '{ $name }' 희망 순서: { $slots }. 다음 희망 일정을 고르거나 이 순서로 신청해 주세요.

## 보고서와 포인트 내역
report-bookings-header = 참조번호,상태,사유,경로,사번,이름,휴양소,객실 유형,체크인,체크아웃,박,인원,포인트,환불 포인트,신청 시각
report-occupancy-header = 날짜,휴양소,객실 유형,객실,예약,남은 객실
report-points-header = 시각,사번,이름,구분,증감,잔액,참조번호,휴양소,내용
ledger-kind-grant = 지급
ledger-kind-deduct = 차감
ledger-kind-refund = 환불
points-history-title = 최근 포인트 내역 (잔액 { $balance }포인트)
points-history-line = • { $date } { $kind } { $delta }포인트 → { $balance_after }포인트 · { $what }
points-history-none = 아직 포인트 내역이 없습니다.
points-history-booking = 예약 { $reference } ({ $resort })
menu-points-history = 포인트 내역
