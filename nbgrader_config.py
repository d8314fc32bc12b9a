"""nbgrader settings for a course made from the lstmcourse labs.

`python3 course.py instructor COURSE_DIR` copies this file into the course root, where
nbgrader reads it (it loads ./nbgrader_config.py from the directory it runs in).
tests/test_nbgrader_course.py runs the whole instructor recipe with it.
"""
import re

from nbgrader.converters import GenerateAssignment
from nbgrader.preprocessors import NbGraderPreprocessor

c = get_config()  # noqa: F821  (defined by traitlets when nbgrader loads this file)

# The jupytext twins (labNN.py) are complete solutions: never release them (nor notes).
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "*.py", "*.toml", "*.md"]

# nbgrader's default is 30 s per cell. Lab 04's race trains three models (about 25 s on an
# idle 2-core CPU, several minutes on a loaded grading server) and lab 05 trains a tagger.
c.Execute.timeout = 600


class PointBadgesAtExercises(NbGraderPreprocessor):
    """Colab badges in a released notebook open the student version, never solutions/."""

    pattern = re.compile(r"(colab\.research\.google\.com/github/[^)\s]+?/blob/[^/)\s]+/)solutions/")

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = self.pattern.sub(r"\1exercises/", cell.source)
        return cell, resources


c.GenerateAssignment.preprocessors = [PointBadgesAtExercises,
                                      *GenerateAssignment.class_traits()["preprocessors"].default()]
