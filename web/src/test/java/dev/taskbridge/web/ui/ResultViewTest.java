package dev.taskbridge.web.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class ResultViewTest {

    @Test
    void plainValuesBecomeFieldsListsOfObjectsTablesAndListsOfValuesLists() {
        ResultView view = ResultView.of("""
                {"status": "POSTED", "lineCount": 2, "valid": true, "totals": {"debit": "1.00"},
                 "errors": [{"line": 2, "field": "debit", "value": null, "reason": "is required"}, {"line": 3, "extra": "x"}],
                 "postedDocuments": ["D1", "D2"], "empty": []}
                """);

        assertThat(view.fields()).extracting(ResultView.Field::name, ResultView.Field::value).containsExactly(
                org.assertj.core.groups.Tuple.tuple("status", "POSTED"),
                org.assertj.core.groups.Tuple.tuple("lineCount", "2"),
                org.assertj.core.groups.Tuple.tuple("valid", "true"),
                org.assertj.core.groups.Tuple.tuple("totals", "{\"debit\":\"1.00\"}"));
        ResultView.Table errors = view.table("errors");
        assertThat(errors.columns()).containsExactly("line", "field", "value", "reason", "extra");
        assertThat(errors.rows()).containsExactly(List.of("2", "debit", "", "is required", ""), List.of("3", "", "", "", "x"));
        assertThat(view.lists()).extracting(ResultView.ValueList::name).containsExactly("postedDocuments", "empty");
        assertThat(view.field("valid")).isEqualTo("true");
    }

    @Test
    void longTablesAreCutAndSayHowLongTheyAre() {
        StringBuilder json = new StringBuilder("{\"errors\": [");
        for (int i = 0; i < 1_200; i++) {
            json.append(i == 0 ? "" : ",").append("{\"line\": ").append(i).append('}');
        }
        ResultView view = ResultView.of(json.append("]}").toString());

        assertThat(view.table("errors").rows()).hasSize(ResultView.MAX_ROWS);
        assertThat(view.table("errors").total()).isEqualTo(1_200);
        assertThat(view.table("errors").isCut()).isTrue();
    }

    @Test
    void aResultThatIsNoJsonObjectIsShownAsTheTextItIs() {
        assertThat(ResultView.of("not json").raw()).isEqualTo("not json");
        assertThat(ResultView.of("[1, 2]").raw()).isEqualTo("[1, 2]");
        assertThat(ResultView.of(null)).isNull();
    }
}
