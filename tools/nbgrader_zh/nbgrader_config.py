"""nbgrader settings for the Chinese student versions (exercises/zh-CN): the course's own settings
(../../nbgrader_config.py) with the stubs in Chinese.

`course.py exercises` runs nbgrader from this folder for solutions/zh-CN (nbgrader reads
./nbgrader_config.py from the directory it runs in). nbgrader's own English words come first (a
learner or a TA searching for "YOUR CODE HERE" finds them), then the Chinese; the stub still raises
NotImplementedError, which the checks turn into "not written yet". nbgrader never reads the stub
back: it grades by the cells' metadata (grade_id, points), not by their text.
"""
c = get_config()  # noqa: F821  (defined by traitlets when nbgrader loads this file)
load_subconfig("../../nbgrader_config.py")  # noqa: F821

c.ClearSolutions.code_stub = {
    "python": '# YOUR CODE HERE（在这里写你的代码）\nraise NotImplementedError("在这里写你的代码，然后删掉这一行")'}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE（在这里写你的答案）"
