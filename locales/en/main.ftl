# resortbot — English

## Shared phrases
stay-line = { $resort } · { $dates } · { $points } points
stay-span = { $from } → { $to }, { $nights ->
    [one] 1 night
   *[other] { $nights } nights
}
date-weekday = { $weekday } { $day } { $month_name }
date-weekday-in-month = { $weekday } { $day } { $month_name }
nights-label = { $nights ->
    [one] 1 night
   *[other] { $nights } nights
}
status-requested = requested
status-points-deducted = points deducted
status-awaiting-approval = awaiting approval
status-confirmed = confirmed
status-rejected = rejected
status-cancelling = cancelling
status-cancelled = cancelled
reason-insufficient-points = not enough points
reason-no-room = no room left
reason-manager-rejected = rejected by the manager
reason-manager-timed-out = approval deadline passed

## Menu and buttons
menu-book = Book
menu-my = My bookings
menu-points = Points
menu-cancel = Cancel
menu-pending = Pending
menu-arrivals = Arrivals
menu-help = Help
button-approve = Approve
button-reject = Reject
button-confirm = Confirm
button-back = Back
button-quit = Stop
button-cancel-confirm = Cancel it
button-cancel-keep = Keep it

## Help and linking
help-unlinked =
    This is the resort booking bot. First link your account with the code your admin gave you.
    For example: link AB12CD34
help =
    { $name }, here is what you can say:
    • book — book step by step
    • book RESORT [ROOM TYPE] 2026-12-24 2 [4 guests] — book in one message
    • my bookings — your bookings
    • points — your point balance (points history — the latest grants, deductions and refunds)
    • limits — this year's limits and how far ahead you can book
    • lottery — peak-season lotteries (lottery apply NAME 2 1 / lottery withdraw)
    • waitlist RESORT 2026-12-24 2 nights — be told when a room frees up (waitlist / leave waitlist DATE)
    • cancel or cancel REFERENCE — cancel a booking
help-manager =
    For managers
    • pending — requests waiting for you
    • approve REFERENCE / reject REFERENCE
    • arrivals — guests checking in today
link-done = { $name }, your account is linked. You can book now.

## Booking
booking-requested =
    Booking request received. Reference { $reference }
    { $stay } · { $room_type } · { $guests ->
        [one] 1 guest
       *[other] { $guests } guests
    }
    I will message you as it progresses.
flow-ask-resort = Which resort would you like?
flow-resort-line = • { $name } ({ $region }) · { $points } points a night
flow-ask-date = { $resort }: pick a check-in date or type one as YYYY-MM-DD.
calendar-title = { $month ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
} { $year }
calendar-weekdays = Mo Tu We Th Fr Sa Su
calendar-day-open = { $day }·{ $nights }
calendar-day-full = ✕
calendar-day-blackout = —
calendar-day-not-open = soon
calendar-day-lottery = draw
calendar-legend = day·number = the most nights you can stay from that day, ✕ = no free room, — = closed period, soon = not open yet, draw = given by a lottery
button-previous-month = ◀ Previous
button-next-month = Next ▶
flow-no-dates = { $resort } has no free room that can be booked now. The next day opens on { $opens } at { $time }. Type a date or pick another resort.
flow-ask-nights = Checking in on { $check_in }: how many nights? (at most { $max })
flow-summary =
    { $stay } · { $room_type } · { $guests ->
        [one] 1 guest
       *[other] { $guests } guests
    }
    Balance { $balance } points → { $after } points after booking
    Book it?
flow-ask-room-type = { $resort }: which room type?
flow-ask-room-type-for = { $resort }, { $nights ->
        [one] 1 night
       *[other] { $nights } nights
    } from { $check_in }: which room type?
flow-room-type-line = • { $name } · up to { $capacity } guests · { $points } points a night · { $rooms } rooms
flow-ask-guests = How many guests? (at most { $max })
guests-label = { $guests ->
        [one] 1 guest
       *[other] { $guests } guests
    }
room-type-default = Standard
button-choose-again = Choose again
flow-quit = Booking stopped.
flow-stale = That button belongs to an earlier step. Here is the current one again.
flow-expired = No booking in progress. Say 'book' to start again.
flow-already-requested = You already requested this booking. Reference { $reference }

## History and points
history-title = Your recent bookings
history-title-page = Your bookings ({ $first }–{ $last } of { $total })
history-upcoming = Coming up
button-more = More
history-past = Past
history-empty = You have no bookings yet.
points-balance = Your balance is { $points } points.

## Cancelling
cancel-none = You have no booking that can be cancelled.
cancel-choice = { $resort } { $date }
cancel-choose = Which booking do you want to cancel?
cancel-quote =
    { $reference } · { $stay }
    Cancelling now returns { $refund } of the { $points } points.
    { $rule }
    Cancel it?
refund-rule-free = Cancel by { $until } and every point comes back (free until { $free_days } days before check-in).
refund-rule-late = { $percent ->
        [0] From { $free_days } days before check-in a cancel returns nothing
       *[other] From { $free_days } days before check-in only { $percent }% comes back
    } ({ $days_left ->
        [0] today is the check-in day
        [one] check-in is tomorrow
       *[other] check-in is in { $days_left } days
    }).
peak-surcharge = Includes { $nights ->
        [one] 1 peak night
       *[other] { $nights } peak nights
    }: { $price } points a night ({ $percent }% of the usual { $base })
cancel-started = Cancelling { $reference }. { $refund } points will be refunded.

## Managers
approval-request =
    Approval request: { $guest } · { $reference }
    { $stay }
    Please decide by { $deadline }.
pending-title-page = Requests waiting for approval: { $first }–{ $last } of { $count }
button-next-page = Next requests
pending-none = No requests are waiting for you.
approval-closed =
    { $guest } · { $reference } · { $stay }
    Done: { $status } ({ $time })
decision-approved =
    { $guest } · { $reference } · { $stay }
    ✅ Approved by { $manager } ({ $time }).
decision-rejected =
    { $guest } · { $reference } · { $stay }
    ❌ Rejected by { $manager } ({ $time }).
arrivals-title = Checking in today
arrivals-none = No guests are checking in today.

## Alerts
push-confirmed =
    Your booking is confirmed. Reference { $reference }
    { $stay }
push-rejected =
    Your booking was rejected ({ $reason }). Reference { $reference }
    { $stay }
    Points refunded: { $refund }
push-cancelled = Booking { $reference } is cancelled. { $refund } points were refunded.
push-timed-out-manager = Request { $reference } passed its approval deadline and was rejected automatically.

## Errors
error-internal = Sorry, something went wrong on our side. Please try again in a moment.
error-not-linked = Please link your account first: send 'link CODE' with the code your admin gave you.
error-bad-link-code = That link code is wrong, already used or expired. Please ask your admin for a new one.
error-link-locked = Too many wrong link codes. Please try again after { $time } (Korean time).
error-book-usage = To book, send 'book RESORT YYYY-MM-DD NIGHTS', or just 'book' to go step by step.
error-unknown-resort = I could not find a resort called '{ $name }'. Send 'book' to see the list.
error-bad-date = Please give the date as YYYY-MM-DD, for example 2026-12-24.
error-check-in-past = That check-in date has passed. Please pick a date from today on.
error-no-nights = Please choose at least one night.
error-too-many-nights = This resort takes bookings of at most { $max } nights.
error-too-far-ahead = Check-ins can be booked up to { $last }.
error-inactive-employee = This employee account cannot book or link right now. Please ask the welfare team.
error-inactive-resort = This resort is not taking bookings right now.
error-blackout = { $night } cannot be booked: { $reason }
error-not-open-yet = { $date } opens for booking on { $opens } at { $time } (Korean time).
error-too-short-notice = The earliest check-in you can book is { $earliest }.
error-nights-out-of-range = This resort takes stays of { $min } to { $max } nights.
weekday-names = Mon Tue Wed Thu Fri Sat Sun
month-names = Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec
date-with-year = { $weekday }, { $month_name } { $day }, { $year }
error-bad-nights = Please give the number of nights as a number, for example 2.
error-overlap = You already have a booking ({ $reference }) for those dates.
error-unknown-booking = I could not find booking { $reference }.
error-not-cancellable = Booking { $reference } cannot be cancelled now (status: { $status }).
error-not-manager = Only resort managers can do that.
error-not-manager-of = You do not manage the resort of booking { $reference }.
error-own-booking = { $reference } is your own booking, so you cannot decide it. Another manager of the resort or an admin decides, or the deadline does.
error-already-decided = { $reference } has already been handled (status: { $status }).
error-already-decided-by = { $manager } has already handled { $reference } (status: { $status }).
error-no-room-on = There is no free room on { $date }. Please pick another date.
error-not-understood = Sorry, I did not understand. Send 'help' to see what you can say.
error-unauthorized = This request is not authenticated.
error-bad-request = The request is malformed.
error-wrong-bot = This request was not sent to this bot.
error-too-long = That message is too long. Please keep it under 1000 characters.

## Admin API
api-unauthorized = The admin token is missing or wrong.
api-not-found = Nothing found there.
api-forbidden = A viewer can read but not change anything.
api-insufficient-points = The balance is { $balance } points, less than the deduction.
api-bad-request = The request body is not valid JSON of the expected shape.
api-invalid-field = The value of '{ $field }' is not valid.
api-method-not-allowed = This path does not take that method.
api-unsupported-media-type = A request body must be sent as content-type: application/json.
api-invalid-parameter = The query parameter '{ $field }' is unknown here or its value is not valid.
api-invalid-range = '{ $field }' does not fit the other parameters (the end comes before the start, or the range is too long).
api-resort-name-taken = A resort with that name already exists.
api-room-type-name-taken = This resort already has a room type of that name.
api-employee-no-taken = An employee with that number already exists.
api-not-cancellable = This booking cannot be cancelled now (status: { $status }).
api-rooms-below-held = Some nights already hold more rooms than that, so the room count cannot go down: { $nights }
api-not-awaiting-approval = This booking is not waiting for approval (status: { $status }).
decided-by-admin = an admin
api-already-replayed = This dead letter was already replayed.
api-internal = An internal error occurred.

## Telegram command menu
telegram-command-book = Book a resort, step by step
telegram-command-my = My bookings
telegram-command-cancel = Cancel a booking
telegram-command-points = Point balance
telegram-command-limits = This year's limits and booking windows
telegram-command-link = Link your account: /link CODE
telegram-command-start = Start (links with the code of an invite link)
telegram-command-help = Help
telegram-command-pending = Requests waiting for you (managers)
telegram-command-arrivals = Checking in today (managers)

## Discord commands
discord-command-book = Book a resort, step by step
discord-command-cancel = Cancel a booking (the refund is shown first)
discord-command-my = My bookings
discord-command-points = Point balance
discord-command-limits = This year's limits and booking windows
discord-command-link = Link your account with the code your admin gave you
discord-command-help = Help
discord-command-pending = Requests waiting for you (managers)
discord-command-arrivals = Checking in today (managers)
discord-option-code = Link code

## Web console and operations dashboard
console-title = Resort booking bot
console-choose = Who are you?
console-manager = manager
console-code-label = or with a link code
console-code-link = Link
console-placeholder = Type a message (e.g. book, my bookings, help)
console-send = Send
console-menu = Main menu
console-switch = Someone else
console-talking-as = Talking as:
console-alert = Alert
console-connected = Alerts connected
console-disconnected = Alerts disconnected; reconnecting…
console-error = The request failed. Please try again shortly.
console-open-dashboard = Operations dashboard
console-open-chat = Chat console
console-error-not-demo = That is not a demo person.
dashboard-title = Operations dashboard
dashboard-token = Admin token
dashboard-connect = Connect
dashboard-unauthorized = The token was refused.
dashboard-bookings = Bookings
dashboard-balances = Point balances
dashboard-dead-letters = Dead letters
dashboard-reports = Reports (CSV):
dashboard-report-bookings = Bookings
dashboard-report-occupancy = Occupancy
dashboard-report-points = Points ledger
dashboard-updated = Updated
dashboard-col-resort = Resort
dashboard-col-reference = Reference
dashboard-col-employee = Employee
dashboard-col-check-in = Check-in
dashboard-col-nights = Nights
dashboard-col-points = Points
dashboard-col-status = Status
dashboard-col-name = Name
dashboard-col-number = Number
dashboard-col-type = Type
dashboard-col-error = Error
dashboard-signed-in-as = Signed in as
dashboard-sign-out = Sign out
dashboard-role-admin = admin
dashboard-role-viewer = viewer (read only)
dashboard-chart-occupancy = Rooms held — next 60 days, by resort and room type
dashboard-chart-occupancy-legend = Number = rooms held; darker = fuller (blank = all free)
dashboard-chart-per-day = Bookings per day — last 30 days, by outcome
dashboard-chart-points = Points spent per resort — last 30 days
dashboard-chart-approval = Time to approval — last 30 days
dashboard-filter-resort = Resort
dashboard-filter-status = Status
dashboard-filter-from = Check-in from
dashboard-filter-to = Check-in to
dashboard-filter-employee = Employee
dashboard-filter-reference = Reference
dashboard-filter-apply = Search
dashboard-filter-clear = Clear
dashboard-filter-any = Any
dashboard-more = More
dashboard-detail = Booking
dashboard-action-cancel = Cancel booking
dashboard-reason = Reason
dashboard-full-refund = Refund every point, whatever the late-cancel terms
dashboard-action-decide = Decide (when no manager can)
dashboard-approve = Approve
dashboard-reject = Reject
dashboard-action-points = Grant or deduct points
dashboard-amount = Points (negative to deduct)
dashboard-action-points-submit = Apply
dashboard-unit-bookings = {" "}bookings
dashboard-unit-minutes = {" "}min
dashboard-unit-nights = {" "}nights
dashboard-median = median
dashboard-max = max
dashboard-outcome-confirmed = confirmed
dashboard-outcome-pending = in progress
dashboard-outcome-rejected = rejected
dashboard-outcome-cancelled = cancelled
dashboard-no-data = No figures yet.
dashboard-none = No booking matches.
dashboard-refunded = refunded
dashboard-decided-by = Decided by
dashboard-timeline = Timeline
dashboard-done = Done.
dashboard-col-at = Time
dashboard-replay = Process again
step-requested = requested
step-cancel-requested = cancel requested
step-manager-approved = approved
step-manager-rejected = rejected
step-approval-deadline-passed = approval deadline passed
step-point-deducted = points deducted
step-point-rejected = not enough points
step-point-refunded = points refunded
step-hotel-held = room held
step-hotel-unavailable = no room free
step-hotel-confirmed = confirmed
step-hotel-rejected = room given back (rejected)
step-hotel-released = room given back
step-hotel-offered = room offered to the waitlist
language-ko = 한국어
language-en = English

telegram-answered-privately = That answer has personal details, so I sent it to our private chat.
telegram-open-private-chat = I do not answer with personal details in a group. Please open a private chat with me and ask there. { $link }

## Booking rules
error-bad-guests = Please give the number of guests as a number of at least 1, for example 2.
error-unknown-room-type = { $resort } has no room type '{ $name }'. Room types: { $types }
error-too-many-guests = This room takes at most { $capacity } guests.
error-insufficient-points = Not enough points: this stay costs { $cost } points and your balance is { $balance }.
limit-used-stay = { $reference } ({ $date })
error-yearly-stays = You have used { $when }limit of { $limit } stays: { $stays }
error-yearly-nights = Only { $left } of { $when }limit of { $limit } nights are left: { $stays }
error-yearly-stays-here = You have used { $when }limit of { $limit } stays at this resort: { $stays }
limit-when-this-year = this year's{" "}
limit-when-year = the { $year }{" "}
date-short = { $month_name } { $day }
limits-title = Your limits for { $year }
limits-stays = • Stays: { $used } of { $limit } used, { $left } left
limits-stays-free = • Stays: no limit ({ $used } this year)
limits-nights = • Nights: { $used } of { $limit } used, { $left } left
limits-nights-free = • Nights: no limit ({ $used } this year)
limits-resort = • { $resort }: { $used } of { $limit } stays used, { $left } left
limits-late-cancel-counts = A booking you cancel after the free-cancellation period still counts.
limits-windows = How far ahead you can book
limits-window-line = • { $resort }: until { $last } · the next day opens on { $opens } at { $time }
api-several-room-types = This resort has several room types; change rooms and prices on a room type.

## Lotteries
lottery-none = No lottery is taking applications now.
lottery-title = Lotteries taking applications
lottery-line =
    ■ { $name } · { $resort } · applications close { $closes }
      Seed commitment (SHA-256): { $commitment }
lottery-slot-line =   { $number }. { $stay } · { $rooms } rooms
lottery-how = To apply, send up to three numbers in order of preference, like 'lottery apply { $example } 2 1'. To withdraw: 'lottery withdraw'
lottery-applied = You applied to '{ $name }' (preferences { $slots }). The draw is on { $draws }; I will tell you the result. Points are deducted only if you win.
lottery-withdrawn = Your application to '{ $name }' is withdrawn.
lottery-won =
    🎉 You won a place in '{ $name }'.
    { $stay }
    I will confirm the booking once it goes through.
lottery-lost = '{ $name }' result: no place this time. You were { $place } of { $of } in the draw order, with weight { $weight } ({ $factors }).
lottery-factor-base = base weight
lottery-factor-recent-stay = stayed in the last 12 months
lottery-factor-no-show = { $count } no-shows
lottery-factor-never-won = never won before
error-unknown-lottery = I could not find an open lottery called '{ $name }'. Send 'lottery' for the list.
error-lottery-closed = This lottery is not taking applications now.
error-lottery-applied = You already applied to '{ $name }'. To change it, withdraw first with 'lottery withdraw'.
error-lottery-not-applied = You have no application to '{ $name }'.
error-lottery-slots = Please send up to three different slot numbers from 1 to { $slots }.
error-lottery-rule = Slot { $number } cannot be applied for: { $rule }
error-lottery-night = { $night } goes to the lottery '{ $name }'. Send 'lottery' to apply.
api-lottery-name-taken = A lottery with this name exists.
api-lottery-not-drawn = This lottery has not been drawn yet.

## Waitlist (freed rooms offered in chat)
stay-dates = { $resort } · { $dates }
button-waitlist-join = Join waitlist
button-waitlist-leave = Leave waitlist
button-offer-accept = Accept
button-offer-decline = Decline
waitlist-joined =
    You are on the waitlist: { $stay } · { $room_type }
    You are number { $position }. When a room frees up I will tell you here and hold it for { $hours } hours.
waitlist-none = You are not on any waitlist. When you try to book a full stay, a Join waitlist button appears.
waitlist-title = Your waitlist
waitlist-line = • { $stay } · number { $position }
waitlist-line-offered = • { $stay } · a room is held for you. Accept by { $until }.
waitlist-how-to-leave = To leave, send the check-in date, like 'leave waitlist { $date }'.
waitlist-left = Left { $count } waitlist { $count ->
    [one] entry
   *[other] entries
} for check-in on { $date }.
waitlist-offer =
    A room you were waiting for is free: { $stay } · { $room_type }
    Accept by { $until } and the booking goes ahead; the points are taken then. Without an answer it goes to the next person.
    (Or type 'accept offer' or 'decline offer'.)
waitlist-offer-expired = The time to accept the room for { $stay } has passed; it went to the next person.
waitlist-offer-accepted =
    You accepted the room. Reference { $reference }
    { $stay }
    I will keep you posted here.
waitlist-offer-declined = You declined the room; it goes to the next person.
error-waitlist-usage = To join a waitlist, send the resort, check-in date and nights, like 'waitlist RESORT 2026-12-24 2 nights'.
error-waitlist-room-type = { $resort } has several room types. Add the one you want: { $types }
error-waitlist-rooms-free = There is a room free for that stay, so you can book it right away.
error-waitlist-already = You are already waiting for that stay. Send 'waitlist' to see your place.
error-waitlist-not-waiting = You are not waiting for any stay checking in on { $date }.
error-no-offer = There is no room offer to answer. You may have answered already, or the time ran out.
error-offer-passed-on = The offer could not be taken and went to the next person: { $reason }
telegram-command-lottery = Peak-season lotteries
telegram-command-waitlist = Your waitlist
discord-command-lottery = Peak-season lotteries
discord-command-waitlist = Your waitlist
button-lottery-apply = Apply: { $name }
button-lottery-slot = { $number }. { $date }, { $nights ->
    [one] 1 night
   *[other] { $nights } nights
}
button-lottery-confirm = Apply in this order
lottery-pick-first = '{ $name }' ({ $resort }): choose the stay you want most. You can choose up to 3, in order.
lottery-pick-next = '{ $name }', in order: { $slots }. Choose the next one, or apply in this order.

## Reports and the points history
report-bookings-header = reference,status,reason,origin,employee no,name,resort,room type,check-in,check-out,nights,guests,points,refunded points,requested at
report-occupancy-header = date,resort,room type,rooms,held,free
report-points-header = at,employee no,name,kind,change,balance,reference,resort,reason
ledger-kind-grant = grant
ledger-kind-deduct = deduction
ledger-kind-refund = refund
points-history-title = Your latest points (balance { $balance } points)
points-history-line = • { $date } { $kind } { $delta } points → { $balance_after } points · { $what }
points-history-none = No points have moved yet.
points-history-booking = booking { $reference } ({ $resort })
menu-points-history = Points history
