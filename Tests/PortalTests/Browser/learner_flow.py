#!/usr/bin/python3
"""The learner flow of the portal in a real headless Chromium, through WebDriver (Debian's python3-selenium
and chromium-driver): access code, log in, Start, read the step, type into the xterm.js terminal, Check
(a failing check shows its hint, then a pass moves the score), a Run button, Solve, Extend, End; then an instructor sees
that session live. Run by PortalBrowserTests with the portal's URL; exits non-zero with the reason on failure.

usage: learner_flow.py BASE_URL EVENT CODE LEARNER PASSWORD INSTRUCTOR PASSWORD SCREENSHOT
"""
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

base, event, code, learner, password, instructor, instructor_password, screenshot = sys.argv[1:9]


def browser():
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,900",
                 "--no-proxy-server", "--disable-background-networking", "--disable-component-update"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait(driver, seconds=30):
    return WebDriverWait(driver, seconds)


def log_in(driver, handle, secret):
    form = wait(driver).until(EC.presence_of_element_located((By.ID, "login")))
    form.find_element(By.NAME, "handle").send_keys(handle)
    form.find_element(By.NAME, "password").send_keys(secret)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, "header .who")))


def challenge(driver, name):
    return driver.find_element(By.CSS_SELECTOR, '[data-challenge="%s"]' % name)


def check(driver, name):
    box = challenge(driver, name)
    box.find_element(By.CSS_SELECTOR, "button[data-action=check]").click()
    wait(driver).until(lambda d: box.find_element(By.CSS_SELECTOR, ".result").text.strip() != "")
    return box


def csp_violations(driver):
    return [entry["message"] for entry in driver.get_log("browser") if "Content Security Policy" in entry["message"]]


learner_browser = browser()
try:
    driver = learner_browser
    driver.get(base + "/events/" + event)
    log_in(driver, learner, password)
    driver.find_element(By.ID, "access-code").send_keys(code)
    driver.find_element(By.CSS_SELECTOR, "button[data-action=start]").click()
    wait(driver, 60).until(EC.presence_of_element_located((By.ID, "lab")))
    session = driver.find_element(By.ID, "lab").get_attribute("data-session")
    assert "Create ~/projects" in driver.find_element(By.CSS_SELECTOR, ".instructions").text, "the step's instructions are shown"

    # A failing check shows ✗ and its first hint.
    box = check(driver, "make-dir")
    assert "failed" in box.get_attribute("class"), box.get_attribute("class")
    assert "Hint: Use mkdir -p." in box.text, box.text

    # Type into the terminal (xterm.js over the WebSocket), then the check passes and the score moves.
    wait(driver, 30).until(lambda d: d.find_element(By.ID, "terminal-workstation").get_attribute("data-ready") == "true")
    driver.find_element(By.CSS_SELECTOR, "#terminal-workstation .xterm").click()
    ActionChains(driver).send_keys("mkdir -p /root/projects && echo done-$((6*7))\n").perform()
    wait(driver, 20).until(lambda d: "done-42" in d.execute_script("return nalaboTerminalText('workstation')"))
    # A runnable block's Run button types it into the terminal; a plain block has only Copy.
    assert len(driver.find_elements(By.CSS_SELECTOR, ".markdown pre button.run")) == 1, "one runnable block, one Run button"
    driver.find_element(By.CSS_SELECTOR, ".markdown pre button.run").click()
    wait(driver, 20).until(lambda d: "ran-48" in d.execute_script("return nalaboTerminalText('workstation')"))
    box = check(driver, "make-dir")
    wait(driver).until(lambda d: "passed" in challenge(d, "make-dir").get_attribute("class"))
    assert driver.find_element(By.ID, "score").text == "5", driver.find_element(By.ID, "score").text

    # Solve (give up) behind a confirmation.
    challenge(driver, "cd-home").find_element(By.CSS_SELECTOR, "button[data-action=solve]").click()
    wait(driver).until(EC.alert_is_present()).accept()
    wait(driver).until(lambda d: "skipped" in challenge(d, "cd-home").get_attribute("class"))

    # Extend, up to the event's deadline.
    driver.find_element(By.CSS_SELECTOR, "button[data-action=extend]").click()
    wait(driver).until(lambda d: "Extended until" in d.find_element(By.ID, "flash").text)
    driver.save_screenshot(screenshot)

    # An instructor sees the session live.
    instructor_browser = browser()
    try:
        instructor_browser.get(base + "/")
        log_in(instructor_browser, instructor, instructor_password)
        instructor_browser.get(base + "/instructor")
        row = wait(instructor_browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, 'tr[data-session="%s"]' % session)))
        assert learner in row.text and "5" in row.text, row.text
        violations = csp_violations(instructor_browser)
        assert not violations, violations
    finally:
        instructor_browser.quit()

    # End the session.
    driver.find_element(By.CSS_SELECTOR, "button[data-action=end]").click()
    wait(driver).until(EC.alert_is_present()).accept()
    wait(driver).until(lambda d: d.current_url.rstrip("/") == base)
    violations = csp_violations(driver)
    assert not violations, violations
    print("learner flow passed: session %s" % session)
except Exception as error:
    try:
        learner_browser.save_screenshot(screenshot.replace(".png", "-failure.png"))
        print("page at failure: %s\n%s" % (learner_browser.current_url, learner_browser.find_element(By.TAG_NAME, "body").text[:2000]))
        print("browser log: %s" % learner_browser.get_log("browser"))
        print("terminals: %s" % learner_browser.execute_script(
            "return Array.prototype.map.call(document.querySelectorAll('.console'), function (n) {"
            " return n.id + ' ready=' + n.dataset.ready + ' ' + n.getBoundingClientRect().width + 'x' + n.getBoundingClientRect().height"
            " + ' ' + n.innerHTML.slice(0, 600); })"))
    except Exception:
        pass
    print("FAILED: %r" % (error,), file=sys.stderr)
    sys.exit(1)
finally:
    learner_browser.quit()
