package dev.taskbridge.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import dev.taskbridge.plugin.Profile;
import org.junit.jupiter.api.Test;

/** {@code mp.config.profile} as a server and a worker read it (README, "Settings per environment"). */
class ProfileSettingTest {

    @Test
    void eachProfileIsNamedAsMicroProfileConfigMatchesIt() {
        assertThat(TaskbridgeSettings.profile(Optional.of("dev"))).isEqualTo(Profile.DEV);
        assertThat(TaskbridgeSettings.profile(Optional.of("stage"))).isEqualTo(Profile.STAGE);
        assertThat(TaskbridgeSettings.profile(Optional.of("prod"))).isEqualTo(Profile.PROD);
    }

    @Test
    void aServerThatDoesNotSayGetsProductionsRules() {
        assertThat(TaskbridgeSettings.profile(Optional.empty())).isEqualTo(Profile.PROD);
        assertThat(Profile.PROD.demoData()).isFalse();
        assertThat(Profile.STAGE.demoData()).isFalse();
        assertThat(Profile.DEV.demoData()).isTrue();
    }

    /**
     * {@code %prod.} properties apply only for {@code prod} exactly: a server set to {@code Prod}
     * or {@code production} would get none of them, so it is refused rather than taken for one.
     */
    @Test
    void aNameThatIsNotAProfileIsRefusedWithTheNamesThatAre() {
        for (String name : new String[] {"production", "Prod", "DEV", "", "dev,stage"}) {
            assertThatThrownBy(() -> TaskbridgeSettings.profile(Optional.of(name))).as(name)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("mp.config.profile is '" + name + "', which is not one of Taskbridge's profiles: dev, stage, prod");
        }
    }
}
