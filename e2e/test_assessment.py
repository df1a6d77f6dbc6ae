"""Assessment in a browser: the statistics office pastes a block of Excel cells into last month's grid
(re-opened with a reason, closed again afterwards), the cockpit's 同频共振 quadrant leads to a branch's
scorecard, the big screen fills 1920×1080 with every chart drawn, and a secretary marks an item of
their responsibility list done on a phone."""

import datetime as dt
import re
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from hongqing.assessment.models import Indicator, IndicatorValue, MonthClose, ResponsibilityItem
from hongqing.core.demo import DEMO_PASSWORD

from .test_phone import assert_no_horizontal_scroll

RESULTS = Path(__file__).resolve().parent.parent / "test-results"


def last_month() -> dt.date:
    first = timezone.localdate().replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def paste(page, selector: str, text: str) -> None:
    """Paste ``text`` (tab- and newline-separated, as Excel copies a block) into the cell."""
    page.locator(selector).click()
    page.evaluate(
        """([selector, text]) => {
            const el = document.querySelector(selector);
            const data = new DataTransfer();
            data.setData('text/plain', text);
            el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        [selector, text],
    )


def test_the_office_pastes_a_month_closes_it_and_follows_the_quadrant_to_a_scorecard(
    live_server, page, demo, log_in
):
    hospital = demo.data["hospitals"][0]["hospital"]
    dept = hospital.departments.get(name="产科")
    inds = {i.code: i for i in Indicator.objects.filter(hospital=hospital)}
    month = last_month()
    log_in(page, "office", DEMO_PASSWORD)

    # Last month is closed (the demo closes each month after the office checked it): re-open it.
    page.goto(f"{live_server.url}/assessment/months/?year={month.year}")
    row = page.locator(f'#months tr[data-month="{month:%Y-%m}"]')
    expect(row).to_have_attribute("data-closed", "1")
    row.locator("input[name=reason]").fill("统计室更正产科门急诊数据")
    row.locator("button[type=submit]").click()
    expect(row).to_have_attribute("data-closed", "0")

    # Paste a block of three cells copied from the statistics report: visits, discharges, operations.
    page.goto(f"{live_server.url}/assessment/grid/?month={month:%Y-%m}")
    first = f'input[name="c-{inds["op_visits"].pk}-{dept.pk}"]'
    paste(page, first, "4,321\t456\t210\r\n")
    expect(page.locator(first)).to_have_value("4,321")
    expect(page.locator(f'input[name="c-{inds["discharges"].pk}-{dept.pk}"]')).to_have_value("456")
    expect(page.locator(f'input[name="c-{inds["operations"].pk}-{dept.pk}"]')).to_have_value("210")
    expect(page.locator("#grid-changed")).not_to_be_empty()
    page.locator("#grid-save").click()
    expect(page.locator("#grid-saved")).to_be_visible()
    stored = IndicatorValue.objects.get(indicator=inds["op_visits"], department=dept, month=month)
    assert stored.value == 4321

    # Close it again: the grid turns read-only.
    page.goto(f"{live_server.url}/assessment/months/?year={month.year}")
    row = page.locator(f'#months tr[data-month="{month:%Y-%m}"]')
    row.locator("button[type=submit]").click()
    expect(row).to_have_attribute("data-closed", "1")
    assert MonthClose.objects.get(hospital=hospital, month=month).closed
    page.goto(f"{live_server.url}/assessment/grid/?month={month:%Y-%m}")
    expect(page.locator("#grid-closed")).to_be_visible()
    expect(page.locator(first)).to_have_attribute("readonly", "")

    # The cockpit: click a branch's point in the 同频共振 quadrant and land on its scorecard.
    page.goto(f"{live_server.url}/assessment/")
    expect(page.locator("#chart-quadrant canvas")).to_be_visible()
    page.locator("#chart-quadrant").scroll_into_view_if_needed()
    page.wait_for_timeout(1200)  # the chart's entrance animation
    point = page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.getElementById('chart-quadrant'));
            const item = chart.getOption().series[0].data[0];
            const [x, y] = chart.convertToPixel({seriesIndex: 0}, item.value);
            const box = document.getElementById('chart-quadrant').getBoundingClientRect();
            return {x: box.left + x, y: box.top + y, name: item.name};
        }"""
    )
    page.mouse.click(point["x"], point["y"])
    expect(page).to_have_url(re.compile(r"/assessment/scorecards/\d+/$"))
    expect(page.locator("h1")).to_contain_text(point["name"])
    expect(page.locator("#party-score")).not_to_be_empty()


def test_the_big_screen_fills_1920_by_1080_and_draws_every_chart(live_server, browser, demo, log_in):
    context = browser.new_context(
        viewport={"width": 1920, "height": 1080}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    try:
        log_in(page, "office", DEMO_PASSWORD)
        page.goto(f"{live_server.url}/assessment/screen/")
        charts = page.locator(".hq-chart")
        expect(charts).to_have_count(6)
        page.wait_for_function("document.querySelectorAll('.hq-chart canvas').length >= 6")
        page.wait_for_timeout(800)
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS / "assessment-big-screen.png"))
        size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        assert size[0] <= 1920 and size[1] <= 1080, f"the big screen scrolls: {size}"
        # Every chart's canvas has drawn something: a share of its pixels is not background.
        drawn = page.evaluate(
            """() => [...document.querySelectorAll('.hq-chart')].map(el => {
                const canvas = el.querySelector('canvas');
                const box = el.getBoundingClientRect();
                if (!canvas || box.width < 300 || box.height < 200) return [el.id, 0, box.width, box.height];
                const ctx = canvas.getContext('2d');
                const {data} = ctx.getImageData(0, 0, canvas.width, canvas.height);
                let inked = 0;
                for (let i = 3; i < data.length; i += 16) if (data[i] > 0) inked++;
                return [el.id, inked / (data.length / 16), box.width, box.height];
            })"""
        )
        for chart_id, share, width, height in drawn:
            assert share > 0.01, f"{chart_id} looks blank ({share:.3%} of its pixels drawn, {width}×{height})"
        # The page reloads itself (the big screen is left on): its refresh interval is the rule's.
        assert page.locator("body").get_attribute("data-refresh") == "300"
    finally:
        context.close()


def test_a_secretary_marks_an_item_of_their_list_done_on_a_phone(live_server, phone_page, demo, log_in):
    page = phone_page
    log_in(page, "secretary", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/assessment/responsibility/mine/")
    item = (
        ResponsibilityItem.objects.filter(
            responsibility_list__owner__user__username="secretary", kind="text", done_on__isnull=True
        )
        .order_by("due")
        .first()
    )
    row = page.locator(f"#item-{item.pk}")
    expect(row).to_be_visible()
    assert_no_horizontal_scroll(page, "my responsibility list")
    row.locator("summary").click()
    row.locator("textarea[name=evidence]").fill("4月与青石镇卫生院联合义诊，服务群众 120 人次，照片存档。")
    row.locator("button[type=submit]").click()
    expect(page.locator(f"#item-{item.pk}")).to_have_attribute("data-status", "done")
    item.refresh_from_db()
    assert item.done_on == timezone.localdate()
    assert_no_horizontal_scroll(page, "my responsibility list after marking an item done")
