"""Issue 12's questions answered on the real corpus (the thirteen reports): each is one
page of the site (a table filtered by one value, or a canned query)."""

WHO = "bukhari-tweet-2021-06-28"


def test_middle_east_monitor_is_marked_retracted_with_when_and_how(db):
    rows = {r["retraction_id"]: r for r in db["retracted_reports"].rows}
    withdrawn = rows["the-current-2020-12_memo-withdraws"]
    assert (
        withdrawn["retracted_id"],
        withdrawn["kind"],
        withdrawn["how"],
        withdrawn["retracted_on"],
        withdrawn["by_id"],
    ) == (
        "middle-east-monitor-2020-12-18",
        "retraction",
        "letter",
        "2020-12-23",
        "middle-east-monitor",
    )
    assert (
        withdrawn["work_id"] == "memo-letter-2020-12-23"
        and withdrawn["reported_in"] == "the-current-2020-12"
    )


def test_reports_resting_on_the_retracted_report(db):
    resting = {(r["article_id"], r["how"]) for r in db["retraction_reach"].rows}
    assert ("republic-world-2020-12-20", "cites the retracted report") in resting
    assert ("middle-east-monitor-2020-12-18", "carried in the retracted report") in resting
    claims = {
        r["claim_id"]
        for r in db["retraction_reach"].rows_where("article_id = 'republic-world-2020-12-20'")
    }
    assert "bukhari-visited-israel" in claims


def test_a_report_apologised_for_and_withdrawn_reaches_its_claims_as_withdrawn(db):
    """Middle East Monitor's letter both apologises and withdraws (two retractions of one
    report): what rests on it rests on a withdrawn report, by the withdrawal."""
    kinds = {
        (r["kind"], r["retraction_id"], r["retracted_on"])
        for r in db["retraction_reach"].rows_where(
            "retracted_id = 'middle-east-monitor-2020-12-18'"
        )
    }
    assert kinds == {("retraction", "the-current-2020-12_memo-withdraws", "2020-12-23")}


def test_every_report_of_bukharis_tweet_and_of_the_foreign_office_statement(db):
    tweet = {r["article_id"] for r in db["work_reports"].rows_where("work_id = ?", [WHO])}
    assert tweet >= {
        "hindustan-times-2021-06-29",
        "asian-lite-2021",
        "dawn-2021-06-28",
        "jewish-chronicle-2021-07",
    }
    statement = {
        (r["article_id"], r["role"])
        for r in db["work_reports"].rows_where("work_id = 'foreign-office-statement-2021-06-28'")
    }
    assert {
        ("radio-pakistan-2021-06-28", "denial"),
        ("daily-pakistan-2021-06-29", "denial"),
    } <= statement
    assert (
        db["works"].get(WHO)["kind"] == "tweet"
        and db["works"].get("foreign-office-statement-2021-06-28")["kind"] == "statement"
    )


def test_bilawal_doubts_bukharis_denial_in_every_report_of_it(db):
    doubted = {(r["denial_id"], r["doubted_by"]) for r in db["doubted_denials"].rows}
    assert ("dawn-2021-06-28_bukhari-again", "Bilawal Bhutto Zardari") in doubted
    # the doubt is of the tweet, so the Jewish Chronicle's report of the same denial is doubted too
    assert any(denial.startswith("jewish-chronicle-2021-07") for denial, _ in doubted)


def test_two_officials_deny_together_with_their_grounds(db):
    denial = db["denials"].get("business-recorder-2020-12-16_two-officials-deny")
    assert denial["denier_count"] == 2
    deniers = [
        r["denier_id"]
        for r in db["denial_deniers"].rows_where(
            "denial_id = ?", [denial["denial_id"]], order_by="position"
        )
    ]
    assert "tahir-ashrafi" in deniers and "zulfi-bukhari" in deniers
    grounds = {
        r["ground"] for r in db["denial_grounds"].rows_where("denial_id = ?", [denial["denial_id"]])
    }
    assert {"no-such-event", "smear"} <= grounds
    assert {
        r["ground"]
        for r in db["denial_grounds"].rows_where("denial_id = 'dawn-2021-06-28_bukhari-december'")
    } == {"alibi"}


def test_algemeiner_carries_israel_hayom_via_jns(db):
    row = db["republications"].get("algemeiner-2020-12-15")
    assert (row["work_id"], row["via_id"], row["basis"], row["quote"]) == (
        "israel-hayom-2020-12-report",
        "jns",
        "stated",
        "by Israel Hayom / JNS.org",
    )
    # so its shared text with the reports citing Israel Hayom's December report is explained
    linked = {
        r["other_article_id"]: r["linked"]
        for r in db["shared_text"].rows_where("article_id = 'algemeiner-2020-12-15'")
    }
    assert linked.get("hindustan-times-2021-06-29") == 1


def test_excerpts_are_marked(db):
    current = db["articles"].get("the-current-2020-12")
    assert current["excerpt"] == 1 and current["ends_mid_sentence"] == 1
    assert current["not_before"] <= "2020-12-24" <= current["not_after"]


def test_an_identification_is_the_articles_or_the_curators(db):
    for row in db["identifications"].rows:
        assert row["identified_by"] in ("curator", "article", "source") and row["basis"]


def test_media_the_curator_inferred_are_marked_so(db):
    """AUDIT's judgement call: YWN calls Dahri's words a "full statement" (the curator took
    it for the rest of his tweet), and HT's "people familiar" never say how they spoke."""
    inferred = {
        (r["citation_id"], r["medium"])
        for r in db["citations"].rows_where("medium_basis = 'inferred'")
    }
    assert {
        ("yeshiva-world-news-2020-12_dahri-statement", "tweet"),
        ("hindustan-times-2021-06-29_people-familiar", "conversation"),
    } <= inferred
    assert not list(db["citations"].rows_where("medium = 'unspecified' and medium_basis != ''"))
