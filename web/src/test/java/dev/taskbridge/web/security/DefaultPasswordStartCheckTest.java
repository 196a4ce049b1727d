package dev.taskbridge.web.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;

import dev.taskbridge.plugin.Profile;
import org.junit.jupiter.api.Test;

/** Which profiles refuse default passwords (README, "Settings per environment"). */
class DefaultPasswordStartCheckTest {

    @Test
    void everyProfileButDevChecksAndANameThatIsNoProfileFailsTheDeploymentSayingSo() {
        assertThat(DefaultPasswordStartCheck.checks("dev")).isFalse();
        assertThat(DefaultPasswordStartCheck.checks("stage")).isTrue();
        assertThat(DefaultPasswordStartCheck.checks("prod")).isTrue();
        assertThatThrownBy(() -> DefaultPasswordStartCheck.checks("Dev"))
                .hasMessage("mp.config.profile is 'Dev', which is not one of Taskbridge's profiles: dev, stage, prod");
    }

    /** The web tier does not see the plugin API: its copy of the names is kept equal here, where both are seen. */
    @Test
    void theNamesAreThePluginApisProfiles() {
        assertThat(DefaultPasswordStartCheck.PROFILES)
                .containsExactlyElementsOf(Arrays.stream(Profile.values()).map(Profile::configName).toList());
        assertThat(DefaultPasswordStartCheck.PROFILE).isEqualTo(Profile.SETTING);
    }
}
